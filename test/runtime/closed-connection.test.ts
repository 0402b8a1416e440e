import { closedConnectionDetails, closedConnectionPlugin } from '../../src/runtime/closed-connection';
import { startDevServer, uniqueName } from '../helpers/temporal';

/**
 * Shutting down closes the client's connection and then stops the server. A call still waiting then (an API
 * request whose caller has gone, a long poll) ends with UNAVAILABLE, and Temporal's client retries it on a
 * timer. Without the guard that retry meets the closed channel and gRPC throws "Channel has been shut down"
 * from the timer: nothing can catch it, the process fails, and the waiting call never settles.
 */
describe('a call in flight when the connection to a real Temporal dev server closes', () => {
  it('fails with an error its caller can catch, and nothing is thrown from a retry timer', async () => {
    const env = await startDevServer({}, [closedConnectionPlugin]);
    let tornDown = false;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // No worker polls this queue, so the result is a long poll that is still waiting at teardown.
      const handle = await env.client.workflow.start('nobodyRunsThis', {
        taskQueue: uniqueName('closed-connection'),
        workflowId: uniqueName('closed-connection'),
      });
      const waiting = handle.result().then(
        () => new Error('the result came back although no worker ran the workflow'),
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      tornDown = true;
      await env.teardown();

      const outcome = await waiting;
      expect(outcome).toBeInstanceOf(Error);
      const messages = [outcome as Error, (outcome as Error).cause as Error | undefined]
        .map((error) => error?.message ?? '')
        .join(' / ');
      expect(messages).toContain(closedConnectionDetails);
      // Another retry timer would have fired well within this.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      if (!tornDown) await env.teardown();
    }
  }, 60_000);
});
