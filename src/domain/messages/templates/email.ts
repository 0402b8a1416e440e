import { clip, oneLine } from './text';

/**
 * Emails are built from a small block structure and rendered twice, as plain text and as HTML, from the
 * same blocks. Every string in a block is text, never markup: the HTML renderer escapes all of it, so no
 * interpolated name or note can inject HTML.
 */

/** A run of text, a link, or emphasised text inside a paragraph or list item. */
export type Inline = string | { text: string; href: string } | { strong: string };

export type Block =
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: Inline[][]; ordered?: boolean }
  /** Text shown apart and kept line by line: a draft to copy, or a script line. */
  | { kind: 'quote'; text: string }
  /** One-click buttons (HTML) or "label: URL" lines (text). */
  | { kind: 'actions'; links: { label: string; href: string }[] };

export interface EmailParts {
  subject: string;
  /** Short summary that mail clients show next to the subject. */
  preheader?: string;
  blocks: Block[];
  /** Small print: why the email came, how to unsubscribe. Each entry is one line. */
  footer: Inline[][];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const paragraph = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
export const heading = (text: string): Block => ({ kind: 'heading', text });
export const bulletList = (...items: Inline[][]): Block => ({ kind: 'list', items });
export const numberedList = (...items: Inline[][]): Block => ({ kind: 'list', items, ordered: true });
export const quote = (text: string): Block => ({ kind: 'quote', text });
export const actions = (...links: { label: string; href: string }[]): Block => ({ kind: 'actions', links });
export const link = (text: string, href: string): Inline => ({ text, href });
export const strong = (text: string): Inline => ({ strong: text });

/** Longest subject we produce; mail clients cut around here anyway. */
const subjectMax = 110;

/** Renders the parts as a multipart-ready email: one-line subject, plain text, and escaped HTML. */
export function renderEmail(parts: EmailParts): RenderedEmail {
  const subject = clip(oneLine(parts.subject), subjectMax, '…');
  return { subject, text: renderText(parts), html: renderHtml(subject, parts) };
}

const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => htmlEntities[character] ?? character);
}

/** Only these schemes become links; anything else is shown as text so a bad URL can never run script. */
function isLinkable(href: string): boolean {
  return /^(?:https?:|tel:|mailto:)/i.test(href.trim());
}

function inlineText(inline: Inline): string {
  if (typeof inline === 'string') return inline;
  if ('strong' in inline) return inline.strong;
  return inline.text === inline.href ? inline.href : `${inline.text} (${inline.href})`;
}

function renderText(parts: EmailParts): string {
  const blocks = parts.blocks.map((block): string => {
    switch (block.kind) {
      case 'paragraph':
        return block.content.map(inlineText).join('');
      case 'heading':
        return `${block.text}\n${'-'.repeat(Math.min(block.text.length, 60))}`;
      case 'list':
        return block.items
          .map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${item.map(inlineText).join('')}`)
          .join('\n');
      case 'quote': {
        const rule = '~'.repeat(40);
        return `${rule}\n${block.text.trim()}\n${rule}`;
      }
      case 'actions':
        return block.links.map((action) => `${action.label}: ${action.href}`).join('\n');
    }
  });
  const footer = parts.footer.map((line) => line.map(inlineText).join('')).join('\n');
  return `${blocks.join('\n\n')}\n\n-- \n${footer}\n`;
}

const style = {
  body: 'margin:0;padding:0;background:#f4f4f1;',
  card:
    'max-width:560px;margin:0 auto;padding:24px;background:#ffffff;color:#1f2328;' +
    'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;',
  heading: 'font-size:17px;margin:24px 0 8px;',
  quote:
    'margin:16px 0;padding:12px 16px;border-left:4px solid #c9d1d9;background:#f6f8fa;' +
    'font-family:Georgia,serif;',
  button:
    'display:inline-block;margin:4px 8px 4px 0;padding:10px 16px;border-radius:6px;' +
    'background:#1f6feb;color:#ffffff;text-decoration:none;font-weight:600;',
  footer: 'margin:24px 0 0;font-size:13px;color:#656d76;',
  preheader: 'display:none;max-height:0;overflow:hidden;',
};

function inlineHtml(inline: Inline): string {
  if (typeof inline === 'string') return escapeHtml(inline);
  if ('strong' in inline) return `<strong>${escapeHtml(inline.strong)}</strong>`;
  if (!isLinkable(inline.href)) return escapeHtml(inlineText(inline));
  return `<a href="${escapeHtml(inline.href.trim())}">${escapeHtml(inline.text)}</a>`;
}

function multiline(text: string): string {
  return escapeHtml(text.trim()).replace(/\r?\n/g, '<br>');
}

function renderHtml(subject: string, parts: EmailParts): string {
  const blocks = parts.blocks.map((block): string => {
    switch (block.kind) {
      case 'paragraph':
        return `<p>${block.content.map(inlineHtml).join('')}</p>`;
      case 'heading':
        return `<h2 style="${style.heading}">${escapeHtml(block.text)}</h2>`;
      case 'list': {
        const tag = block.ordered ? 'ol' : 'ul';
        const items = block.items.map((item) => `<li>${item.map(inlineHtml).join('')}</li>`).join('');
        return `<${tag}>${items}</${tag}>`;
      }
      case 'quote':
        return `<blockquote style="${style.quote}">${multiline(block.text)}</blockquote>`;
      case 'actions':
        return `<p>${block.links
          .map((action) =>
            isLinkable(action.href)
              ? `<a href="${escapeHtml(action.href.trim())}" style="${style.button}">${escapeHtml(action.label)}</a>`
              : escapeHtml(`${action.label}: ${action.href}`),
          )
          .join(' ')}</p>`;
    }
  });
  const footer = parts.footer.map((line) => line.map(inlineHtml).join('')).join('<br>');
  const preheader =
    parts.preheader === undefined
      ? ''
      : `<div style="${style.preheader}">${escapeHtml(oneLine(parts.preheader))}</div>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    `<body style="${style.body}">${preheader}<div style="${style.card}">`,
    ...blocks,
    `<p style="${style.footer}">${footer}</p>`,
    '</div></body></html>',
    '',
  ].join('\n');
}
