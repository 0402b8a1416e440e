import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { Runtime, type InjectedSinks, type WorkerInterceptors } from '@temporalio/worker';
import type { Logger } from 'pino';
import { PinoSdkLogger } from './logging';

/**
 * Installs the SDK's runtime once per process, before any worker or connection: its logger goes to
 * Debrief's (pino) logger, and its metrics are served in Prometheus format on `sdkMetricsAddress` (host:port)
 * when given. Costs under a millisecond either way (measured), so the embedded default serves them. When the
 * address is taken (another Debrief on the machine) the runtime starts without them and says so.
 * The CLI owns the signals (API, then worker, then Temporal), so the runtime handles none.
 */
export function installRuntime(logger: Logger, sdkMetricsAddress: string | undefined): string | undefined {
  if (Runtime._instance) return undefined;
  const base = { shutdownSignals: [], logger: new PinoSdkLogger(logger.child({ component: 'temporal' })) };
  if (sdkMetricsAddress) {
    try {
      Runtime.install({
        ...base,
        telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } },
      });
      return `http://${sdkMetricsAddress}/metrics`;
    } catch (error) {
      logger.warn(
        `SDK metrics: cannot serve on ${sdkMetricsAddress} (${(error as Error).message}); running without them — set DEBRIEF_SDK_METRICS_ADDRESS to a free host:port, or off`,
      );
    }
  }
  Runtime.install(base);
  return undefined;
}

/** Tracing for one process: the tracer, and what clients and workers add to carry and export spans. */
export interface Tracing {
  tracer: Tracer;
  spanProcessor: SpanProcessor;
  resource: Resource;
  clientInterceptors(): WorkflowClientInterceptor[];
  workerInterceptors(): Pick<WorkerInterceptors, 'activity'>;
  workflowSinks(): InjectedSinks<Record<string, never>>;
  /** The workflow-side interceptors module (bundled with the workflows). */
  workflowInterceptorModule: string;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing exported over OTLP/HTTP to `endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT, e.g.
 * http://collector:4318); undefined (no tracing, no cost) when no endpoint is set. Spans carry ids, types
 * and route templates only: Temporal's interceptors name workflows and activities by type and id, and
 * Debrief's ids are built without personal data.
 */
export function createTracing(endpoint: string | undefined, serviceName = 'debrief'): Tracing | undefined {
  if (!endpoint) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Global: the interceptors carry context in W3C trace-context headers through the global propagator, and
  // the HTTP edge's span reaches the client's calls through the async context manager.
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  const tracer = provider.getTracer('debrief');
  return {
    tracer,
    spanProcessor,
    resource,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    workerInterceptors: () => ({
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    }),
    workflowSinks: () =>
      ({ exporter: makeWorkflowExporter(spanProcessor, resource) }) as unknown as InjectedSinks<
        Record<string, never>
      >,
    workflowInterceptorModule: require.resolve('../workflows/tracing-interceptors'),
    async shutdown() {
      await provider.shutdown();
    },
  };
}
