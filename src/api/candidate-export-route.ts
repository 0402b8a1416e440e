import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';

/** What the export route needs: the operator's bearer token, and the export itself. */
export interface CandidateExportSettings {
  /** Every request must send `Authorization: Bearer <token>` (the codec server's, DEBRIEF_CODEC_TOKEN). */
  token: string;
  /** Everything held about the candidate, decoded (src/runtime/candidate-export.ts). */
  exportCandidate(candidateId: string): Promise<unknown>;
}

const candidateIdPattern = /^[^\s/]{1,200}$/;

/**
 * `GET /candidates/:id/export`: the data export for an access request, for operators only. It holds the
 * person's data in clear, so it asks for the operator token (compared in constant time), is never cached,
 * and, like every route, is logged by its template only (see `observeRequests`).
 */
export function candidateExportRoutes(settings: CandidateExportSettings) {
  const app = new Hono();
  const expected = digest(settings.token);

  app.get('/candidates/:candidateId/export', async (c) => {
    c.header('Cache-Control', 'no-store');
    const presented = bearerToken(c.req.header('authorization'));
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="debrief-operator"');
      return c.json(
        {
          error: 'unauthorized',
          issues: [{ path: 'authorization', message: 'send Authorization: Bearer <DEBRIEF_CODEC_TOKEN>' }],
        },
        401,
      );
    }
    const candidateId = c.req.param('candidateId');
    if (!candidateIdPattern.test(candidateId)) {
      return c.json(
        {
          error: 'invalid candidate id',
          issues: [{ path: 'candidateId', message: 'at most 200 characters, no spaces' }],
        },
        400,
      );
    }
    return c.json(await settings.exportCandidate(candidateId));
  });
  return app;
}

/** The token of `Bearer <token>`, else undefined. */
function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Equal-length digests, so that the comparison takes the same time whatever was presented. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
