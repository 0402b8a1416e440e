import { registeredMetricNames } from '../../src/observability/metrics';
import { dashboardMetricNames, dashboardQueries } from '../helpers/dashboard';

describe('the Grafana dashboard', () => {
  it("reads only metrics Debrief registers (the SDK's are checked against a live worker in test/e2e/observability.test.ts)", () => {
    const registered = new Set(registeredMetricNames());
    const used = dashboardMetricNames('debrief_');
    expect(used.length).toBeGreaterThan(5);
    const unknown = used.filter(
      (name) => !registered.has(name) && !registered.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(unknown).toEqual([]);
  });

  it('has a query in every panel and only Debrief and Temporal metrics', () => {
    for (const expr of dashboardQueries()) {
      expect(expr).toMatch(/\b(debrief|temporal)_[a-z0-9_]+/);
    }
  });
});
