import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { parseCloudEvent, type CloudEventRequest, type ParsedEvent } from '../../src/ingest/cloudevents';
import {
  anyJsonText,
  anyText,
  expectReadableIssues,
  mutationsOf,
  textMatching,
  textContaining,
} from './fuzz-helpers';

function snapshot(): Record<string, unknown> {
  return {
    applicationId: `app-${randomUUID()}`,
    company: 'Acme',
    role: 'Staff Engineer',
    stageReached: 'final_interview',
    rejectedAt: '2026-11-20T15:00:00Z',
    candidate: {
      id: 'cand-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+14155550100',
      timezone: 'America/New_York',
      country: 'US',
    },
    recruiter: { name: 'Sam Lee', phone: '+14155550111' },
  };
}

function structuredEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'https://tracker.example/webhooks',
    type: 'debrief.application.rejected',
    time: '2026-11-20T15:00:01Z',
    data: snapshot(),
    ...overrides,
  };
}

function structured(event: unknown, contentType = 'application/cloudevents+json'): CloudEventRequest {
  return { contentType, headers: {}, body: JSON.stringify(event) };
}

function binary(
  headers: Record<string, string>,
  data: unknown,
  contentType = 'application/json',
): CloudEventRequest {
  return {
    contentType,
    headers: {
      'ce-specversion': '1.0',
      'ce-id': randomUUID(),
      'ce-source': '/trackers/acme',
      'ce-type': 'debrief.application.rejected',
      ...headers,
    },
    body: typeof data === 'string' ? data : JSON.stringify(data),
  };
}

function failure(result: ParsedEvent): { status: number; issues: Array<{ path: string; message: string }> } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseCloudEvent in structured mode', () => {
  it('accepts a valid event, applies defaults and drops unknown fields', () => {
    const data = snapshot();
    const event = structuredEvent({
      subject: 'app-1',
      traceparent: 'ignored',
      data: { ...data, extra: true },
    });
    const result = parseCloudEvent(structured(event, 'application/cloudevents+json; charset=UTF-8'));
    if (!result.ok || !('event' in result)) throw new Error(JSON.stringify(result));
    expect(result.event).toMatchObject({
      id: event.id,
      source: event.source,
      type: 'debrief.application.rejected',
      time: '2026-11-20T15:00:01Z',
      subject: 'app-1',
    });
    expect(result.event.data).toEqual({ ...data, interviewers: [], references: [] });
  });

  it('validates each known type against its own schema', () => {
    const deleted = parseCloudEvent(
      structured(
        structuredEvent({ type: 'debrief.candidate.deleted', data: { candidate: { id: 'cand-9' } } }),
      ),
    );
    expect(deleted).toMatchObject({ ok: true, event: { data: { candidate: { id: 'cand-9' } } } });
    const interview = parseCloudEvent(
      structured(structuredEvent({ type: 'debrief.interview.scheduled', data: snapshot() })),
    );
    expect(failure(interview).issues).toEqual([
      { path: 'data.interviewAt', message: textMatching(/ISO 8601/) },
    ]);
  });

  it('answers unknown types as ignored, after checking the envelope', () => {
    const event = structuredEvent({ type: 'com.example.something', data: 'anything' });
    expect(parseCloudEvent(structured(event))).toEqual({
      ok: true,
      ignored: true,
      id: event.id,
      source: event.source,
      type: 'com.example.something',
    });
    expect(failure(parseCloudEvent(structured({ ...event, specversion: '0.3' }))).status).toBe(400);
  });

  it.each([
    ['specversion', { specversion: '0.3' }, 'must be "1.0" (CloudEvents 1.0)'],
    ['id', { id: undefined }, 'is required (a CloudEvents 1.0 context attribute)'],
    ['source', { source: '' }, 'must not be empty'],
    ['time', { time: 'yesterday' }, 'must be an RFC 3339 timestamp'],
  ])('reports a bad %s with its path', (path, overrides, message) => {
    const result = failure(parseCloudEvent(structured(structuredEvent(overrides))));
    expect(result).toEqual({ ok: false, status: 400, issues: [{ path, message }] });
  });

  it('reports invalid data with paths under data', () => {
    const data = snapshot();
    (data.candidate as Record<string, unknown>).phone = '415-555-0100';
    const result = failure(parseCloudEvent(structured(structuredEvent({ data }))));
    expect(result.status).toBe(400);
    expect(result.issues).toEqual([
      {
        path: 'data.candidate.phone',
        message: 'must be an E.164 phone number such as +14155550100 (plus sign, country code, digits)',
      },
    ]);
  });

  it('judges each candidate timezone on its own, however often a valid one came before', () => {
    const withZone = (timezone: string) => {
      const data = snapshot();
      (data.candidate as Record<string, unknown>).timezone = timezone;
      return parseCloudEvent(structured(structuredEvent({ data })));
    };
    for (let round = 0; round < 3; round++) {
      expect(withZone('Europe/Berlin').ok).toBe(true);
      expect(withZone('Etc/GMT+5').ok).toBe(true);
      for (const zone of ['Europe/Berlinn', 'Mars/Olympus_Mons', 'EST', 'europe/berlin/']) {
        expect(failure(withZone(zone)).issues).toEqual([
          { path: 'data.candidate.timezone', message: textMatching(/IANA timezone/) },
        ]);
      }
    }
  });

  it('requires a way to reach the candidate', () => {
    const data = snapshot();
    data.candidate = { id: 'c', name: 'Ada', timezone: 'Europe/Berlin' };
    expect(failure(parseCloudEvent(structured(structuredEvent({ data })))).issues).toEqual([
      { path: 'data.candidate', message: textMatching(/email or a phone/) },
    ]);
  });

  it('requires data for known types', () => {
    expect(failure(parseCloudEvent(structured(structuredEvent({ data: undefined })))).issues).toEqual([
      { path: 'data', message: textMatching(/^is required/) },
    ]);
  });

  it('rejects malformed JSON with the position of the error', () => {
    const result = parseCloudEvent({
      contentType: 'application/cloudevents+json',
      headers: {},
      body: '{"specversion": "1.0",, "id": "x"}',
    });
    expect(failure(result)).toEqual({
      ok: false,
      status: 400,
      issues: [
        {
          path: 'body',
          message:
            "not valid JSON (Unexpected token ',', expected a property name in double quotes at position 22 (line 1, column 23))",
        },
      ],
    });
  });

  it.each([
    ['[]', 'is a JSON array; batches are not accepted, send one event per request'],
    ['42', 'must be a JSON object holding one CloudEvent'],
    ['null', 'must be a JSON object holding one CloudEvent'],
  ])('rejects a body of %s', (body, message) => {
    expect(
      failure(parseCloudEvent({ contentType: 'application/cloudevents+json', headers: {}, body })),
    ).toEqual({
      ok: false,
      status: 400,
      issues: [{ path: '(root)', message }],
    });
  });

  it('rejects base64 data and non-JSON data content types', () => {
    const base64 = failure(parseCloudEvent(structured({ ...structuredEvent(), data_base64: 'AAAA' })));
    expect(base64).toMatchObject({ status: 400, issues: [{ path: 'data_base64' }] });
    const xml = failure(parseCloudEvent(structured(structuredEvent({ datacontenttype: 'text/xml' }))));
    expect(xml).toMatchObject({ status: 415, issues: [{ path: 'datacontenttype' }] });
    const json = parseCloudEvent(structured(structuredEvent({ datacontenttype: 'application/json' })));
    expect(json.ok).toBe(true);
  });
});

describe('parseCloudEvent in binary mode', () => {
  it('reads the context from ce-* headers and the data from the body', () => {
    const data = snapshot();
    const request = binary({ 'ce-subject': 'app%201', 'ce-time': '2026-11-20T15:00:01%2B01:00' }, data);
    const result = parseCloudEvent(request);
    if (!result.ok || !('event' in result)) throw new Error(JSON.stringify(result));
    expect(result.event).toMatchObject({
      id: request.headers['ce-id'],
      source: '/trackers/acme',
      type: 'debrief.application.rejected',
      subject: 'app 1',
      data: { applicationId: data.applicationId },
    });
  });

  it('drops ce-time, which the signature does not cover, so it cannot move a rejection in time', () => {
    const result = parseCloudEvent(binary({ 'ce-time': '2030-01-01T00:00:00Z' }, snapshot()));
    if (!result.ok || !('event' in result)) throw new Error(JSON.stringify(result));
    expect(result.event.time).toBeUndefined();
  });

  it.each([
    'debrief.application.withdrawn',
    'debrief.application.reopened',
    'debrief.application.hired',
    'debrief.application.updated',
    'debrief.interview.scheduled',
    'debrief.candidate.deleted',
  ])('refuses %s, which could stop or alter a follow-up, and asks for structured mode', (type) => {
    const result = failure(parseCloudEvent(binary({ 'ce-type': type }, snapshot())));
    expect(result.status).toBe(400);
    expect(result.issues).toEqual([
      { path: 'ce-type', message: expect.stringContaining('application/cloudevents+json') as string },
    ]);
  });

  it('accepts a charset parameter and other +json types', () => {
    expect(parseCloudEvent(binary({}, snapshot(), 'application/json; charset="utf-8"')).ok).toBe(true);
    expect(parseCloudEvent(binary({}, snapshot(), 'application/vnd.tracker+json')).ok).toBe(true);
  });

  it.each([
    ['ce-id', { 'ce-id': '' }, 'must not be empty'],
    ['ce-specversion', { 'ce-specversion': '1.1' }, 'must be "1.0" (CloudEvents 1.0)'],
    ['ce-source', { 'ce-source': '%E0%A4%A' }, 'is not valid percent-encoding (RFC 3986)'],
  ])('names the header %s when it is wrong', (path, headers, message) => {
    expect(failure(parseCloudEvent(binary(headers, snapshot())))).toEqual({
      ok: false,
      status: 400,
      issues: [{ path, message }],
    });
  });

  it('names a missing ce-type header', () => {
    const request = binary({}, snapshot());
    delete (request.headers as Record<string, string | undefined>)['ce-type'];
    expect(failure(parseCloudEvent(request)).issues).toEqual([
      { path: 'ce-type', message: 'is required (a CloudEvents 1.0 context attribute)' },
    ]);
  });

  it('reports malformed JSON data and missing data', () => {
    expect(failure(parseCloudEvent(binary({}, '{"applicationId": tru}'))).issues).toEqual([
      {
        path: 'body',
        message: "not valid JSON (Unexpected token '}' in 'true' at position 21 (line 1, column 22))",
      },
    ]);
    expect(failure(parseCloudEvent(binary({}, ''))).issues[0]?.path).toBe('data');
  });

  it('asks for ce-specversion when application/json arrives without it', () => {
    const result = parseCloudEvent({ contentType: 'application/json', headers: {}, body: '{}' });
    expect(failure(result)).toEqual({
      ok: false,
      status: 400,
      issues: [
        {
          path: 'ce-specversion',
          message: textContaining('application/cloudevents+json'),
        },
      ],
    });
  });
});

describe('parseCloudEvent content types', () => {
  const accepted =
    /application\/cloudevents\+json.*application\/json with ce-specversion, ce-id, ce-source and ce-type/;

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a batch', 'application/cloudevents-batch+json'],
  ])('answers 415 for %s, saying which types are accepted', (_label, contentType) => {
    const result = failure(
      parseCloudEvent({ contentType, headers: {}, body: JSON.stringify(structuredEvent()) }),
    );
    expect(result.status).toBe(415);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe('content-type');
    expect(result.issues[0]?.message).toMatch(accepted);
  });

  it('answers 415 for a charset other than UTF-8', () => {
    const result = failure(
      parseCloudEvent(structured(structuredEvent(), 'application/cloudevents+json; charset=latin1')),
    );
    expect(result).toEqual({
      ok: false,
      status: 415,
      issues: [
        { path: 'content-type', message: 'charset "latin1" is not accepted; send UTF-8 (charset=utf-8)' },
      ],
    });
  });

  it('answers 415 for binary mode with data that is not JSON', () => {
    const result = failure(parseCloudEvent(binary({}, 'hello', 'text/plain')));
    expect(result.status).toBe(415);
    expect(result.issues[0]?.message).toContain('binary-mode data must be JSON');
  });
});

describe('parseCloudEvent never throws', () => {
  const contentTypes = fc.oneof(
    fc.constantFrom(
      undefined,
      'application/cloudevents+json',
      'application/cloudevents+json; charset=utf-8',
      'application/json',
      'application/cloudevents-batch+json',
      'text/plain',
    ),
    anyText,
  );
  const headerValues = fc.option(fc.oneof(anyText, fc.constantFrom('1.0', 'debrief.application.rejected')), {
    nil: undefined,
  });
  const headers = fc.record({
    'ce-specversion': headerValues,
    'ce-id': headerValues,
    'ce-source': headerValues,
    'ce-type': headerValues,
    'ce-time': headerValues,
    'ce-subject': headerValues,
  });

  const wellFormed = (result: ParsedEvent): void => {
    if (result.ok) return;
    expect([400, 415]).toContain(result.status);
    expectReadableIssues(result.issues);
  };

  it('on random bodies, content types and headers', () =>
    fc.assert(
      fc.property(contentTypes, headers, fc.oneof(anyText, anyJsonText), (contentType, ceHeaders, body) => {
        wellFormed(parseCloudEvent({ contentType, headers: ceHeaders, body }));
      }),
      { numRuns: 500 },
    ));

  it('on mutations of a valid structured event', () =>
    fc.assert(
      fc.property(mutationsOf(structuredEvent()), (body) => {
        wellFormed(parseCloudEvent({ contentType: 'application/cloudevents+json', headers: {}, body }));
      }),
      { numRuns: 1000 },
    ));

  it('on mutations of valid binary-mode data', () =>
    fc.assert(
      fc.property(mutationsOf(snapshot()), (body) => {
        wellFormed(parseCloudEvent(binary({}, body)));
      }),
      { numRuns: 1000 },
    ));
});
