import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  createEncryptionCodec,
  encryptedEncoding,
  keyIdMetadataKey,
  PayloadIntegrityError,
  UnknownEncryptionKeyError,
} from '../../src/runtime/codec';
import { formatEncryptionKeys, generateEncryptionKey, parseEncryptionKeys } from '../../src/config/keys';

const personal = {
  phone: '+14155550100',
  email: 'ada@example.com',
  note: 'The recruiter said my system design answers lacked depth',
};

const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('the AES-256-GCM payload codec', () => {
  const older = generateEncryptionKey('2026-01');
  const newer = generateEncryptionKey('2026-11');

  it('round-trips payloads and keeps nothing readable in what it stores', async () => {
    const codec = createEncryptionCodec([newer]);
    const payloads = [toPayload(personal), toPayload('plain text'), toPayload(undefined)];
    const encoded = await codec.encode(payloads);

    for (const payload of encoded) {
      expect(text(payload.metadata?.encoding)).toBe(encryptedEncoding);
      expect(text(payload.metadata?.[keyIdMetadataKey])).toBe('2026-11');
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', keyIdMetadataKey].sort());
    }
    const stored = Buffer.concat(encoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array())));
    for (const value of [...Object.values(personal), 'json/plain', 'plain text']) {
      expect(stored.includes(Buffer.from(value))).toBe(false);
    }

    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([personal, 'plain text', undefined]);
  });

  it('encrypts the same value differently each time (a fresh nonce per payload)', async () => {
    const codec = createEncryptionCodec([newer]);
    const [first, second] = await codec.encode([toPayload(personal), toPayload(personal)]);
    expect(Buffer.from(first?.data ?? []).equals(Buffer.from(second?.data ?? []))).toBe(false);
  });

  it('rotates without downtime: the newest key encrypts, older keys still decrypt', async () => {
    const before = createEncryptionCodec([older]);
    const after = createEncryptionCodec([newer, older]);
    const [old] = await before.encode([toPayload(personal)]);
    const [fresh] = await after.encode([toPayload(personal)]);

    expect(text(fresh?.metadata?.[keyIdMetadataKey])).toBe('2026-11');
    expect((await after.decode([old!, fresh!])).map(fromPayload)).toEqual([personal, personal]);
    // A process that has not been given the new key yet cannot read what the new key wrote.
    await expect(before.decode([fresh!])).rejects.toThrow(UnknownEncryptionKeyError);
  });

  it('names the unknown key id, and only that, when a payload was made with a key it lacks', async () => {
    const [payload] = await createEncryptionCodec([older]).encode([toPayload(personal)]);
    const error = await createEncryptionCodec([newer])
      .decode([payload!])
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(UnknownEncryptionKeyError);
    expect(error?.message).toContain('"2026-01"');
    expect(error?.message).toContain('DEBRIEF_ENCRYPTION_KEYS');
    for (const value of Object.values(personal)) expect(error?.message).not.toContain(value);
    expect(error?.message).not.toContain(older.key.toString('base64'));
  });

  it('refuses a tampered, truncated or relabelled ciphertext', async () => {
    const codec = createEncryptionCodec([newer, older]);
    const [payload] = await codec.encode([toPayload(personal)]);
    const data = Buffer.from(payload!.data!);

    const flipped = Buffer.from(data);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;
    await expect(codec.decode([{ ...payload!, data: flipped }])).rejects.toThrow(PayloadIntegrityError);
    await expect(codec.decode([{ ...payload!, data: data.subarray(0, 20) }])).rejects.toThrow(
      PayloadIntegrityError,
    );
    // Pointing the payload at the other key of the ring fails too (the key id is authenticated).
    const relabelled = {
      ...payload!,
      metadata: { ...payload!.metadata, [keyIdMetadataKey]: Buffer.from('2026-01') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow(PayloadIntegrityError);
  });

  it('round-trips large payloads (a few megabytes)', async () => {
    const codec = createEncryptionCodec([newer]);
    const large = { blob: randomBytes(3 * 1024 * 1024).toString('base64'), note: personal.note };
    const encoded = await codec.encode([toPayload(large)]);
    expect(Buffer.from(encoded[0]!.data!).includes(Buffer.from(personal.note))).toBe(false);
    expect((await codec.decode(encoded)).map(fromPayload)).toEqual([large]);
  });

  it('passes through payloads written before encryption was turned on', async () => {
    const plain = toPayload(personal);
    expect((await createEncryptionCodec([newer]).decode([plain])).map(fromPayload)).toEqual([personal]);
  });
});

describe('parseEncryptionKeys', () => {
  const key = () => randomBytes(32).toString('base64');
  const fixedKey = Buffer.alloc(32, 7).toString('base64');
  const otherKey = Buffer.alloc(32, 9).toString('base64');

  it('reads id:base64key entries, newest first, and writes them back the same way', () => {
    const value = `2026-11:${key()}, 2026-01:${key()}`;
    const keys = parseEncryptionKeys(value);
    expect(keys.map((k) => k.id)).toEqual(['2026-11', '2026-01']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
    expect(parseEncryptionKeys(formatEncryptionKeys(keys))).toEqual(keys);
  });

  it.each([
    ['', /no keys given/],
    ['just-a-key', /entry 1 has no ":"/],
    [`:${fixedKey}`, /entry 1: the key id must be/],
    [`bad id:${fixedKey}`, /entry 1: the key id must be/],
    [
      `a:${Buffer.alloc(16, 7).toString('base64')}`,
      /entry 1 \(key id "a"\): the key must be 32 bytes .*decodes to 16 bytes/,
    ],
    ['a:not base64!!', /entry 1 \(key id "a"\): .*not base64/],
    [`a:${fixedKey},a:${otherKey}`, /entry 2: the key id "a" is given twice/],
  ])('explains what is wrong with %j, naming the variable and never the key', (value, pattern) => {
    let message = '';
    try {
      parseEncryptionKeys(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^DEBRIEF_ENCRYPTION_KEYS/);
    expect(message).toMatch(pattern);
    for (const part of value.split(/[,:]/).filter((p) => p.length > 12)) expect(message).not.toContain(part);
  });
});
