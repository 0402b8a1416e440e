import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { envSchema } from '../src/config/environment';
import { environmentTable } from '../src/config/variables';

/**
 * Writes docs/configuration.md's table of environment variables from the configuration schema, between its
 * `config-table` markers. `--check` only says whether the page is up to date (exit 1 when not); `--page`
 * names another copy of the page.
 */
const configurationPage = resolve(__dirname, '../docs/configuration.md');
const start = '<!-- config-table:start -->';
const end = '<!-- config-table:end -->';

async function pageWithTable(page: string): Promise<string> {
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  if (from < 0 || to < from)
    throw new Error(`docs/configuration.md: the markers ${start} … ${end} are missing`);
  const updated = `${page.slice(0, from + start.length)}\n\n${environmentTable(envSchema)}\n\n${page.slice(to)}`;
  const options = await resolveConfig(configurationPage);
  return format(updated, { ...options, parser: 'markdown', filepath: configurationPage });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--page');
  const path = at >= 0 ? resolve(process.argv[at + 1] ?? '') : configurationPage;
  const page = readFileSync(path, 'utf8');
  const updated = await pageWithTable(page);
  if (process.argv.includes('--check')) {
    if (updated !== page) {
      console.error(`${path} is out of date with the configuration schema: run npm run docs:config`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(path, updated);
}

void main();
