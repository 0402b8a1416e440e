import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/api/app';
import { parseTrustedProxies } from '../../src/config/trusted-proxies';
import { ConfigError, loadConfig } from '../../src/config/index';

/** The API on a loopback socket, one request a minute per client, trusting `trustedProxies` when given. */
async function serveApi(trustedProxies?: readonly string[]) {
  const app = createApp({
    webhookSecret: `whsec_${Buffer.from('rate-limit-test-secret-0123456789').toString('base64')}`,
    maxBodyBytes: 16 * 1024,
    dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    rateLimit: { perSecond: 1 / 60, burst: 1 },
    ...(trustedProxies ? { trustedProxies } : {}),
  });
  const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((listening) => server.once('listening', () => listening()));
  const { port } = server.address() as AddressInfo;
  /** The status of a GET /healthz from 127.0.0.1, with the X-Forwarded-For given. */
  const status = (forwardedFor?: string) =>
    new Promise<number>((answered, failed) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/healthz',
          headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
        },
        (res) => {
          res.resume();
          res.once('end', () => answered(res.statusCode ?? 0));
        },
      );
      req.once('error', failed);
      req.end();
    });
  return { status, close: () => server.close() };
}

describe('the rate limit behind trusted proxies', () => {
  it('counts the right-most untrusted X-Forwarded-For entry when the peer is a trusted proxy', async () => {
    const api = await serveApi(['127.0.0.0/8', '10.0.0.0/8']);
    try {
      // Two clients behind the same balancer have their own buckets.
      expect(await api.status('203.0.113.7')).toBe(200);
      expect(await api.status('198.51.100.20')).toBe(200);
      // What a client writes further left is not believed: this is still 203.0.113.7, through a second proxy.
      expect(await api.status('192.0.2.1, 203.0.113.7, 10.1.2.3')).toBe(429);
      expect(await api.status('203.0.113.7')).toBe(429);
      expect(await api.status('2001:db8::1')).toBe(200);
      // Nothing usable forwarded: the proxy's own bucket.
      expect(await api.status()).toBe(200);
      expect(await api.status('not an address')).toBe(429);
    } finally {
      api.close();
    }
  });

  it('ignores X-Forwarded-For from a peer that is not trusted, and by default', async () => {
    for (const trusted of [['10.0.0.0/8', '192.0.2.10'], undefined]) {
      const api = await serveApi(trusted);
      try {
        expect(await api.status('203.0.113.7')).toBe(200);
        expect(await api.status('198.51.100.20')).toBe(429);
      } finally {
        api.close();
      }
    }
  });

  it('is off unless configured, and names the entries that are not addresses or ranges', () => {
    expect(loadConfig({}).trustedProxies).toBeUndefined();
    expect(loadConfig({ DEBRIEF_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.10 fd00::/8' }).trustedProxies).toEqual(
      ['10.0.0.0/8', '192.0.2.10', 'fd00::/8'],
    );
    let problems: string[] = [];
    try {
      loadConfig({ DEBRIEF_TRUSTED_PROXIES: '10.0.0.0/33,load-balancer,192.0.2.10' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(
        /^DEBRIEF_TRUSTED_PROXIES: "10\.0\.0\.0\/33", "load-balancer" are not an address or CIDR range; .*e\.g\. 10\.0\.0\.0\/8/,
      ),
    ]);
    expect(() => parseTrustedProxies(['::1/129'])).toThrow(/"::1\/129" is not an address or CIDR range/);
  });
});
