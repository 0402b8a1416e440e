import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
  type ConnectionPlugin,
} from '@temporalio/client';

type NextCall = ConstructorParameters<typeof InterceptingCall>[0];

/** What a call made after its connection was closed answers with. */
export const closedConnectionDetails = 'the connection to Temporal was closed before this call could be made';

/**
 * A call that fails at once with `CANCELLED`, which Temporal's retry interceptor does not retry, so the caller
 * gets an error instead of a retry that throws.
 */
class ClosedCall implements NextCall {
  cancelWithStatus(): void {}
  getPeer(): string {
    return '';
  }
  start(_metadata: Metadata, listener?: Parameters<NextCall['start']>[1]): void {
    setImmediate(() =>
      listener?.onReceiveStatus?.({
        code: status.CANCELLED,
        details: closedConnectionDetails,
        metadata: new Metadata(),
      }),
    );
  }
  sendMessageWithContext(): void {}
  sendMessage(): void {}
  startRead(): void {}
  halfClose(): void {}
  getAuthContext(): null {
    return null;
  }
}

/**
 * Temporal's client retries a failed call on a timer. When the connection is closed while a call is in flight
 * (shutting down with a request still waiting, then stopping the server), the retry finds the channel shut and
 * gRPC throws "Channel has been shut down" from that timer, where no caller can catch it, and the process
 * fails. This interceptor sits under the retry: a call made on a closed channel fails as cancelled instead, and
 * whoever awaits it gets the error.
 */
export const closedConnectionGuard: Interceptor = (options, nextCall) => {
  let call: NextCall;
  try {
    call = nextCall(options);
  } catch (error) {
    if (!(error instanceof Error) || error.message !== 'Channel has been shut down') throw error;
    call = new ClosedCall();
  }
  return new InterceptingCall(call);
};

/** Temporal's default retries, with {@link closedConnectionGuard} under them. */
export function guardedInterceptors(): Interceptor[] {
  return [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedConnectionGuard];
}

/**
 * {@link guardedInterceptors} for connections Debrief does not construct itself (the SDK's test environments).
 * A connection that already has its own interceptors keeps them, with the guard added under them.
 */
export const closedConnectionPlugin: ConnectionPlugin = {
  name: 'debrief-closed-connection-guard',
  configureConnection(options: ConnectionOptions): ConnectionOptions {
    return {
      ...options,
      interceptors: options.interceptors
        ? [...options.interceptors, closedConnectionGuard]
        : guardedInterceptors(),
    };
  },
};
