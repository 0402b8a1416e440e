import type { OperatorRole } from '../../config/operators';

/**
 * What a viewer sees of a person's contacts: enough to tell two apart (the last digits of a number, the
 * first letter and the domain of an address), never the whole.
 */

const phonePattern = /\+\d[\d\s().-]{5,}\d/g;
const emailPattern = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** `+14155550100` → `+•••••••0100`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '••••';
  return `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(Math.max(3, digits.length - 4))}${digits.slice(-4)}`;
}

/** `ada@example.com` → `a•••@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

/** Masks every number and address inside a text (a timeline line, a failure message). */
export function maskText(text: string): string {
  return text
    .replace(emailPattern, (address) => maskEmail(address))
    .replace(phonePattern, (number) => (number.replace(/\D/g, '').length >= 7 ? maskPhone(number) : number));
}

/** How a page shows contacts to `role`: in full to an admin, masked to a viewer. */
export interface ContactView {
  phone(value: string): string;
  email(value: string): string;
  text(value: string): string;
}

export function contactViewFor(role: OperatorRole): ContactView {
  if (role === 'admin') return { phone: (v) => v, email: (v) => v, text: (v) => v };
  return { phone: maskPhone, email: maskEmail, text: maskText };
}
