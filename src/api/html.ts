import { escapeHtml } from '../domain/templates';

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

/** A whole page with Debrief's small stylesheet. */
export function htmlPage(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            max-width: 44rem;
            margin: 2rem auto;
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
            color: #999;
          }
          form.answer {
            display: inline-block;
            margin: 0 0.4rem 0.4rem 0;
          }
          button {
            padding: 0.4rem 0.8rem;
            font-size: 1rem;
          }
          textarea {
            width: 100%;
            min-height: 4rem;
          }
          .note {
            color: #555;
            font-size: 0.9rem;
          }
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html> `.value;
}
