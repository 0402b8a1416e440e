import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { HealthReport } from '../api/app';

/** A worker counts as alive when it polled the task queue this recently. */
const pollerFreshMs = 70_000;

/**
 * Checks Temporal (a system-info call) and the workers (recent pollers on the task queue, as Temporal
 * itself reports them), so the API answers healthy only when a rejection could really be processed.
 */
export async function checkHealth(
  client: Client,
  taskQueue: string,
  nowMs = Date.now(),
): Promise<HealthReport> {
  const checks: HealthReport['checks'] = { api: { ok: true } };
  try {
    await client.workflowService.getSystemInfo({});
    checks.temporal = { ok: true, detail: client.options.namespace };
  } catch (error) {
    checks.temporal = { ok: false, detail: `unreachable: ${(error as Error).message}` };
  }
  if (checks.temporal.ok) {
    try {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const fresh = (response.pollers ?? []).filter((poller) => {
        const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
        return nowMs - seconds * 1000 < pollerFreshMs;
      });
      checks.worker =
        fresh.length > 0
          ? { ok: true, detail: `${fresh.length} polling ${taskQueue}` }
          : { ok: false, detail: `no worker is polling task queue ${taskQueue}` };
    } catch (error) {
      checks.worker = { ok: false, detail: `could not ask Temporal: ${(error as Error).message}` };
    }
  } else {
    checks.worker = { ok: false, detail: 'unknown while Temporal is unreachable' };
  }
  return { ok: Object.values(checks).every((check) => check.ok), checks };
}
