import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PhaseName } from './settings';

/** One measured figure, always next to the baseline it is compared with in the same run. */
export interface Figure {
  name: string;
  value: number;
  baseline: number;
  /** What `baseline` is, in a few words. */
  baselineName: string;
  unit: string;
  /** value / baseline. */
  ratio: number;
  /** The target for the ratio, when there is one, and whether this run met it. */
  target?: { text: string; met: boolean };
}

/** What one phase measured, what else it saw, and anything that went wrong (lost, doubled, unacknowledged). */
export interface PhaseResult {
  phase: PhaseName;
  seconds: number;
  figures: Figure[];
  details: Record<string, unknown>;
  problems: string[];
}

export function figure(
  name: string,
  measured: { value: number; baseline: number; baselineName: string; unit: string },
  target?: { atMost?: number; atLeast?: number; valueAtMost?: number },
): Figure {
  const ratio = measured.baseline === 0 ? Number.POSITIVE_INFINITY : measured.value / measured.baseline;
  return {
    name,
    ...measured,
    ratio,
    ...(target
      ? {
          target:
            target.valueAtMost !== undefined
              ? {
                  text: `≤ ${target.valueAtMost} ${measured.unit}`,
                  met: measured.value <= target.valueAtMost,
                }
              : target.atMost !== undefined
                ? { text: `≤ ${target.atMost}×`, met: ratio <= target.atMost }
                : { text: `≥ ${target.atLeast ?? 0}×`, met: ratio >= (target.atLeast ?? 0) },
        }
      : {}),
  };
}

const number = (value: number) =>
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 1
        ? value.toFixed(2)
        : value.toPrecision(2);

/** The table printed at the end of a run (and kept in the README). */
export function formatTable(results: readonly PhaseResult[]): string {
  const rows = [
    ['phase', 'figure', 'value', 'baseline', 'ratio', 'target'],
    ...results.flatMap((result) =>
      result.figures.map((item) => [
        result.phase,
        item.name,
        `${number(item.value)} ${item.unit}`,
        `${number(item.baseline)} ${item.unit} (${item.baselineName})`,
        // A baseline of zero (a worker that used no CPU in its window) has no ratio to show.
        Number.isFinite(item.ratio) ? `${number(item.ratio)}×` : '—',
        item.target ? `${item.target.text} ${item.target.met ? 'met' : 'NOT met'}` : '',
      ]),
    ),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** Writes the whole run as JSON (figures, details, problems, settings) for comparing runs. */
export async function writeResults(file: string, content: unknown): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`);
  return path;
}
