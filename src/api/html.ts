import { escapeHtml } from '../domain/messages/templates';

/**
 * The few HTML pages the API serves (follow-up page, link confirmations) are plain server-rendered HTML:
 * no scripts, every interpolated value escaped with {@link html}'s tag.
 */

/** A string that is already HTML (escaped where needed). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolated strings are escaped, {@link Html} values and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return escapeHtml(String(value));
  }
  throw new TypeError(
    `html: cannot interpolate a ${typeof value}; pass text, numbers, Html or arrays of them`,
  );
}

/**
 * The Content-Security-Policy for a page rendered with `nonce`: nothing loads from anywhere, only the
 * page's own style and script (both carrying the nonce) run, and forms post only to this origin.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A whole page with Debrief's small stylesheet, mobile first. With `options.nonce` the style carries it and
 * `options.script` runs as the page's one script (send {@link contentSecurityPolicy} with the same nonce);
 * `options.style` (trusted CSS, never user input) extends the stylesheet for a page family such as the console.
 */
export function htmlPage(
  title: string,
  body: Html,
  options: { nonce?: string; script?: string; style?: string } = {},
): string {
  const nonce = options.nonce;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style ${nonce ? html`nonce="${nonce}"` : ''}>
          body {
            font-family: system-ui, sans-serif;
            max-width: 44rem;
            margin: 1rem auto;
            padding: 0 1rem;
            line-height: 1.5;
            color: #222;
          }
          h1 {
            font-size: 1.4rem;
          }
          h2 {
            font-size: 1.1rem;
            margin-top: 1.6rem;
          }
          ol.timeline {
            padding-left: 1.2rem;
          }
          li.planned {
            color: #666;
          }
          li.cancelled {
            text-decoration: line-through;
            color: #6b6b6b;
          }
          form.answer {
            display: inline-block;
            margin: 0 0.4rem 0.4rem 0;
          }
          button,
          a.button {
            min-height: 2.75rem;
            padding: 0.5rem 0.9rem;
            font-size: 1rem;
            border-radius: 0.3rem;
          }
          a.button {
            display: inline-block;
            border: 1px solid #1a4d8f;
            color: #1a4d8f;
            text-decoration: none;
            margin: 0 0.4rem 0.4rem 0;
            box-sizing: border-box;
          }
          a.tel {
            font-size: 1.2rem;
            font-weight: bold;
          }
          section.card {
            border: 1px solid #ccc;
            border-radius: 0.4rem;
            padding: 0.2rem 0.9rem 0.8rem;
            margin: 0.8rem 0;
          }
          pre.draft {
            white-space: pre-wrap;
            background: #f4f4f4;
            padding: 0.6rem;
            font-family: inherit;
          }
          a {
            color: #1a4d8f;
          }
          textarea {
            width: 100%;
            min-height: 4rem;
          }
          .note {
            color: #555;
            font-size: 0.9rem;
          }
          ${options.style ? new Html(options.style) : ''}
        </style>
      </head>
      <body>
        <main>${body}</main>
        ${
          options.script && nonce
            ? html`<script nonce="${nonce}">
                ${new Html(options.script)};
              </script>`
            : ''
        }
      </body>
    </html> `.value;
}
