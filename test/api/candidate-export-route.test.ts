import { createApp, type AppDeps } from '../../src/api/app';
import { observeRequests } from '../../src/api/observe';

const token = 'operator-token-0123456789abcdef0123456789';
const held = { candidateId: 'cand-7', entity: { phones: ['+14155550100'] }, note: 'Ada Lovelace' };

function appWith(candidateExport: AppDeps['candidateExport'], logged: string[] = []) {
  return createApp({
    webhookSecret: `whsec_${Buffer.from('export-api-test-secret-0123456789').toString('base64')}`,
    maxBodyBytes: 16 * 1024,
    dispatch: () => Promise.reject(new Error('nothing is dispatched here')),
    health: () => Promise.resolve({ ok: true, checks: {} }),
    observe: observeRequests({
      logger: { info: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`) },
    }),
    ...(candidateExport ? { candidateExport } : {}),
  });
}

describe('GET /candidates/:id/export', () => {
  const asked: string[] = [];
  const logged: string[] = [];
  const app = appWith(
    {
      token,
      exportCandidate: (candidateId) => {
        asked.push(candidateId);
        return Promise.resolve({ ...held, candidateId });
      },
    },
    logged,
  );
  beforeEach(() => {
    asked.length = 0;
    logged.length = 0;
  });

  it('is off (404) when no operator token is configured', async () => {
    const response = await appWith(undefined).request('/candidates/cand-7/export', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${token.slice(0, -1)}x`],
    ['a longer token', `Bearer ${token}0`],
    ['the token under another scheme', `Basic ${Buffer.from(`op:${token}`).toString('base64')}`],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 with %s, and exports nothing', async (_case, authorization) => {
    const response = await app.request('/candidates/cand-7/export', {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).not.toContain('Ada');
    expect(asked).toEqual([]);
  });

  it('answers the export as uncached JSON with the token, and logs no id or content', async () => {
    const response = await app.request('/candidates/cand-7/export', {
      headers: { authorization: `bearer  ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(held);
    expect(asked).toEqual(['cand-7']);
    expect(logged.join('\n')).toContain('/candidates/:candidateId/export');
    expect(logged.join('\n')).not.toMatch(/cand-7|Ada|\+1415/);
  });
});
