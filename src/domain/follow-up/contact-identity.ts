import type { Contact } from '../contract/events';

/**
 * Who a third party (a reference, the connection) is, independent of their place in a snapshot's list: a
 * tracker's refresh may reorder, add or drop them, and an approval must still reach the person the candidate
 * saw. Pure, so workflow code and tests agree on it.
 */
export interface ContactIdentity {
  /** The email address, lowercased, when there is one. */
  email?: string;
  /** The name with case, accents' composition and spacing normalised. */
  name: string;
}

/** The identity of a contact as a snapshot lists it. */
export function contactIdentity(contact: Pick<Contact, 'name' | 'email'>): ContactIdentity {
  const name = contact.name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  const email = contact.email?.trim().toLowerCase();
  return email ? { email, name } : { name };
}

/** The same person: the same email address when both have one, else the same name. */
export function sameContact(a: ContactIdentity, b: ContactIdentity): boolean {
  return a.email !== undefined && b.email !== undefined ? a.email === b.email : a.name === b.name;
}

/** The first contact of `contacts` that is the person `identity` names, if a snapshot still lists them. */
export function findContact<C extends Pick<Contact, 'name' | 'email'>>(
  contacts: readonly C[],
  identity: ContactIdentity,
): C | undefined {
  return contacts.find((contact) => sameContact(contactIdentity(contact), identity));
}
