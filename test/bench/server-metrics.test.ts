import {
  countsPer,
  metricsLine,
  parsePrometheusText,
  serverCounts,
  type ServerCounts,
} from '../../bench/server-metrics';

/** Lines as the dev server (Temporal 1.29) prints them, frontend and history side by side. */
const scrape = (n: number) => `# HELP service_requests service_requests counter
# TYPE service_requests counter
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} ${2 * n}
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} ${2 * n}
service_requests{namespace="default",operation="RespondWorkflowTaskFailed",service_name="history"} 1
service_requests{namespace="temporal-system",operation="RespondWorkflowTaskCompleted",service_name="history"} 50
service_requests{namespace="default",operation="SignalWithStartWorkflowExecution",service_name="history"} ${n}
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="history"} ${n}
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} ${n}
service_requests{namespace="default",operation="RecordWorkflowTaskStarted",service_name="history"} ${n}
service_requests{namespace="default",operation="RecordActivityTaskStarted",service_name="history"} ${n}
service_requests{namespace="default",operation="AddWorkflowTask",service_name="matching"} ${3 * n}
command{commandType="ScheduleActivityTask",namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} ${n}
command{commandType="StartTimer",namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} ${n}
accept_workflow_update_message{operation="WorkflowContext",service_name="history"} ${n}
request_workflow_update_message{operation="WorkflowContext",service_name="history"} ${n}
visibility_persistence_requests{operation="RecordWorkflowExecutionStarted",service_name="history",visibility_index_name="_tmp_x_temporal_db",visibility_plugin_name="sqlite"} ${n}
visibility_persistence_requests{operation="UpsertWorkflowExecution",service_name="history",visibility_index_name="_tmp_x_temporal_db",visibility_plugin_name="sqlite"} ${n}
visibility_persistence_requests{operation="CountWorkflowExecutions",service_name="frontend",visibility_index_name="_tmp_x_temporal_db",visibility_plugin_name="sqlite"} 7
persistence_requests{namespace="default",operation="CreateWorkflowExecution",service_name="history"} ${3 * n}
persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} ${9 * n}
persistence_latency_bucket{namespace="default",operation="CreateWorkflowExecution",service_name="history",le="+Inf"} ${3 * n}
`;

describe('server metrics', () => {
  it('reads names, labels with escapes, special values and timestamps', () => {
    const samples = parsePrometheusText(
      [
        '# HELP x a counter',
        '',
        'plain 3',
        'with_time{a="1"} 4.5 1700000000000',
        'tricky{path="C:\\\\temp",quote="say \\"hi\\", then go",brace="{x}",line="a\\nb",} 1e3',
        'bucket{le="+Inf"} +Inf',
        'gauge{} NaN',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'plain', labels: {}, value: 3 },
      { name: 'with_time', labels: { a: '1' }, value: 4.5 },
      {
        name: 'tricky',
        labels: { path: 'C:\\temp', quote: 'say "hi", then go', brace: '{x}', line: 'a\nb' },
        value: 1000,
      },
      { name: 'bucket', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY },
      { name: 'gauge', labels: {}, value: NaN },
    ]);
  });

  it('refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('service_requests{namespace="default} 1')).toThrow(/unterminated/);
    expect(() => parsePrometheusText('service_requests one')).toThrow(/bad value/);
  });

  it('counts each figure once, from history, for the namespace asked, writes only for visibility', () => {
    expect(serverCounts(parsePrometheusText(scrape(10)), 'default')).toEqual<ServerCounts>({
      workflowTasks: 21,
      activities: 10,
      updates: 10,
      signals: 20,
      visibilityWrites: 20,
      runsStarted: 30,
      queuedTasks: 20,
    });
  });

  it('divides what happened between two scrapes by the acknowledgements', () => {
    const at = (n: number) => serverCounts(parsePrometheusText(scrape(n)), 'default');
    expect(countsPer(at(10), at(110), 100)).toEqual<ServerCounts>({
      workflowTasks: 2,
      activities: 1,
      updates: 1,
      signals: 2,
      visibilityWrites: 2,
      runsStarted: 3,
      queuedTasks: 2,
    });
  });

  it('finds the metrics port in the line the dev server prints at start', () => {
    expect(metricsLine.exec('Metrics: http://localhost:43721/metrics')?.[1]).toBe('43721');
    expect(metricsLine.exec('[02:12:54] INFO: metrics: http://127.0.0.1:9464/metrics')).toBeNull();
  });
});
