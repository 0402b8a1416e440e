import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

const projectRoot = path.resolve(__dirname, '../..');
const prismBin = path.join(projectRoot, 'node_modules/.bin/prism');

/** Twilio's own OpenAPI description, kept beside the project (not copied into it). */
export const twilioSpec = path.resolve(projectRoot, '../shared/twilio/twilio_api_v2010.json');

/** Whether the Twilio contract tests can run; when not, they skip with this reason. */
export const twilioSpecPresent = existsSync(twilioSpec);
export const twilioSpecMissing =
  'Twilio contract tests skipped: ../shared/twilio/twilio_api_v2010.json is not beside this project';

/** A loopback port that is free right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts Prism on Twilio's OpenAPI description and resolves once it listens, or fails with its output. */
export async function startPrism(port: number, deadlineMs = 90_000): Promise<ChildProcess> {
  const prism = spawn(prismBin, ['mock', '-h', '127.0.0.1', '-p', String(port), twilioSpec], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  // Prism logs every route and request; the pipes must keep draining or it blocks.
  prism.stdout.on('data', keepTail);
  prism.stderr.on('data', keepTail);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not listen within ${deadlineMs} ms`), deadlineMs);
    const onData = () => {
      if (output.includes(`Prism is listening on http://127.0.0.1:${port}`)) {
        cleanUp();
        resolve();
      }
    };
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    const fail = (why: string) => {
      cleanUp();
      prism.kill();
      reject(new Error(`Prism mock of the Twilio API ${why}. Its last output:\n${output}`));
    };
    const cleanUp = () => {
      clearTimeout(timer);
      prism.stdout.off('data', onData);
      prism.off('exit', onExit);
    };
    prism.stdout.on('data', onData);
    prism.once('exit', onExit);
  });
  return prism;
}

/** Stops a Prism started by {@link startPrism} and waits for it to exit. */
export async function stopPrism(prism: ChildProcess | undefined): Promise<void> {
  if (!prism || prism.exitCode !== null || prism.signalCode !== null) return;
  const exited = new Promise((resolve) => prism.once('exit', resolve));
  prism.kill('SIGTERM');
  await exited;
}
