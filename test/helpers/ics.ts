import { DateTime } from 'luxon';

/** One content line of an iCalendar file: name, parameters and raw value. */
export interface IcsProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** A component with its own properties and nested components. */
export interface IcsComponent {
  name: string;
  properties: IcsProperty[];
  components: IcsComponent[];
}

/**
 * A strict reader for the iCalendar the tests receive: it refuses lines not ended by CRLF, physical lines
 * over 75 octets and unbalanced BEGIN/END, so a file a calendar might reject fails the test.
 */
export function parseIcs(text: string): IcsComponent {
  if (!text.endsWith('\r\n')) throw new Error('ics: the file must end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    if (line.includes('\n') || line.includes('\r')) throw new Error(`ics: a bare line break in "${line}"`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`ics: a line over 75 octets: "${line}"`);
  }
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (logical.length === 0) throw new Error('ics: a continuation line before any content line');
      logical[logical.length - 1] += line.slice(1);
    } else {
      logical.push(line);
    }
  }
  const root: IcsComponent = { name: '', properties: [], components: [] };
  const stack = [root];
  for (const line of logical) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`ics: no colon in "${line}"`);
    const [name = '', ...rawParams] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    const current = stack.at(-1)!;
    if (name === 'BEGIN') {
      const component: IcsComponent = { name: value, properties: [], components: [] };
      current.components.push(component);
      stack.push(component);
    } else if (name === 'END') {
      if (current.name !== value) throw new Error(`ics: END:${value} closes ${current.name || 'nothing'}`);
      stack.pop();
    } else {
      const params = Object.fromEntries(rawParams.map((param) => param.split('=') as [string, string]));
      current.properties.push({ name, params, value });
    }
  }
  if (stack.length !== 1 || root.components.length !== 1) throw new Error('ics: unbalanced BEGIN/END');
  return root.components[0]!;
}

/** The first nested component named `name` (depth first). */
export function component(root: IcsComponent, name: string): IcsComponent {
  const found =
    root.name === name ? root : root.components.map((child) => safeComponent(child, name)).find(Boolean);
  if (!found) throw new Error(`ics: no ${name}`);
  return found;
}

function safeComponent(root: IcsComponent, name: string): IcsComponent | undefined {
  try {
    return component(root, name);
  } catch {
    return undefined;
  }
}

/** The value of a property, unescaped when it is text. */
export function property(root: IcsComponent, name: string): IcsProperty {
  const found = root.properties.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`ics: no ${name} in ${root.name}`);
  return found;
}

/** Undoes RFC 5545 TEXT escaping. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_match, char: string) =>
    char === 'n' || char === 'N' ? '\n' : char,
  );
}

/** The instant of a DATE-TIME property with a TZID (resolved with the IANA rules) or in UTC. */
export function instantOf(prop: IcsProperty): { ms: number; zone: string; local: string } {
  const zone = prop.params.TZID ?? 'UTC';
  const local = prop.value.replace(/Z$/, '');
  const time = DateTime.fromFormat(local, "yyyyMMdd'T'HHmmss", { zone });
  if (!time.isValid) throw new Error(`ics: bad DATE-TIME ${prop.value}`);
  return { ms: time.toMillis(), zone, local };
}
