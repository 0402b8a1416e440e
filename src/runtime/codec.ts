import type { StateSeal } from '../ledger';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EncryptionKeyError, encryptionKeysVariable, type EncryptionKey } from '../config/keys';

/**
 * Encryption of everything Debrief stores in Temporal: workflow inputs and results, update arguments and
 * answers, activity inputs and results, memos and (through the failure converter) failure messages and
 * stack traces. The codec runs in clients and workers, never in the workflow sandbox: the server and
 * anyone reading its database or UI see only ciphertext and the id of the key that made it.
 */

/** The `encoding` metadata of an encrypted payload. */
export const encryptedEncoding = 'binary/encrypted';
/** The metadata field naming the key an encrypted payload was made with. */
export const keyIdMetadataKey = 'encryption-key-id';
const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/** A payload made with a key this process does not have. Names the key id, never the content. */
export class UnknownEncryptionKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `Cannot decrypt a payload: it was encrypted with key "${keyId}", which is not in the key ring; ` +
        `add that key back to ${encryptionKeysVariable} (after the newest one) and restart.`,
    );
    this.name = 'UnknownEncryptionKeyError';
  }
}

/** A payload whose ciphertext does not authenticate: altered, truncated, or made with another key. */
export class PayloadIntegrityError extends Error {
  constructor(readonly keyId: string) {
    super(
      `Cannot decrypt a payload encrypted with key "${keyId}": it fails its integrity check, so it was ` +
        'altered or truncated, or the key given under this id is not the one that encrypted it.',
    );
    this.name = 'PayloadIntegrityError';
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * An AES-256-GCM {@link PayloadCodec} over a key ring: the first (newest) key encrypts, every key decrypts.
 * Each encrypted payload carries its key id in the metadata, so keys can be rotated without downtime: put
 * the new key first, keep the old ones while histories still hold payloads made with them. Payloads that
 * were never encrypted (written before encryption was turned on) pass through unchanged.
 */
export function createEncryptionCodec(keys: readonly EncryptionKey[]): PayloadCodec {
  const [current] = keys;
  if (!current) throw new EncryptionKeyError(`${encryptionKeysVariable}: the key ring is empty`);
  const ring = new Map(keys.map(({ id, key }) => [id, key]));

  function encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv(algorithm, current!.key, iv);
    // The key id is authenticated too, so a payload cannot be relabelled to another key unnoticed.
    cipher.setAAD(utf8.encode(current!.id));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: utf8.encode(encryptedEncoding),
        [keyIdMetadataKey]: utf8.encode(current!.id),
      },
      data: new Uint8Array(sealed),
    };
  }

  function decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || fromUtf8.decode(encoding) !== encryptedEncoding) return payload;
    const rawId = payload.metadata?.[keyIdMetadataKey];
    const keyId = rawId ? printable(fromUtf8.decode(rawId)) : '(none)';
    const key = ring.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < ivBytes + tagBytes) throw new PayloadIntegrityError(keyId);
    try {
      const decipher = createDecipheriv(algorithm, key, sealed.subarray(0, ivBytes));
      decipher.setAAD(utf8.encode(keyId));
      decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(ivBytes, sealed.length - tagBytes)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new PayloadIntegrityError(keyId);
    }
  }

  return {
    encode: (payloads) => Promise.resolve().then(() => payloads.map(encrypt)),
    decode: (payloads) => Promise.resolve().then(() => payloads.map(decrypt)),
  };
}

/** Key ids come from stored metadata; keep what an error quotes short and printable. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

/**
 * The data converter every Debrief client and worker uses: the encryption codec, and a failure converter
 * that moves failure messages and stack traces into an (encrypted) payload. Workers bundle the failure
 * converter into the workflow sandbox too, so failures raised by workflow code are covered as well.
 */
export function encryptedDataConverter(keys: readonly EncryptionKey[]): DataConverter {
  return {
    payloadCodecs: [createEncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}

/**
 * Seals bytes with a payload codec, for what Debrief keeps outside Temporal that must be as unreadable as a
 * payload (a candidate's state in the ledger): the codec's sealed payload, as base64 text. Opening undoes it
 * under any key of the ring.
 */
export function sealWithCodec(codec: PayloadCodec): StateSeal {
  return {
    async seal(plain) {
      const [sealed] = await codec.encode([
        { metadata: { encoding: utf8.encode('binary/plain') }, data: plain },
      ]);
      return Buffer.from(temporal.api.common.v1.Payload.encode(sealed!).finish()).toString('base64');
    },
    async open(text) {
      const [opened] = await codec.decode([
        temporal.api.common.v1.Payload.decode(Buffer.from(text, 'base64')),
      ]);
      return opened?.data ?? new Uint8Array();
    },
  };
}
