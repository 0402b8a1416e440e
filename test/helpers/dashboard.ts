import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Every PromQL query of the Grafana dashboard in deploy/grafana. */
export function dashboardQueries(): string[] {
  const dashboard = JSON.parse(
    readFileSync(resolve(__dirname, '../../deploy/grafana/debrief.json'), 'utf8'),
  ) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

/** The metric names the dashboard's queries read (a histogram's _bucket, _sum and _count as the histogram). */
export function dashboardMetricNames(prefix: 'debrief_' | 'temporal_'): string[] {
  const pattern = new RegExp(`\\b${prefix}[a-z0-9_]+`, 'g');
  const names = dashboardQueries().flatMap((expr) => expr.match(pattern) ?? []);
  return [...new Set(names)];
}
