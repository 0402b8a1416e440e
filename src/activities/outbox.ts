import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DeliveryResult, OutboundMessage } from '../domain/messages/outbound';
import type { MessageContent } from '../domain/messages/content';

/** One message as the outbox keeps it: a JSON file per message, named after the message key. */
export interface OutboxEntry {
  key: string;
  writtenAt: string;
  followUpId: string;
  step: string;
  attempt: number;
  candidateId: string;
  to: OutboundMessage['recipient'];
  channels: OutboundMessage['channels'];
  template: string;
  sms?: string;
  email?: { subject: string; text: string };
}

/** The local channel used when no provider is configured: messages become files in a folder. */
export interface Outbox {
  readonly dir: string;
  /** Writes the rendered `content` of `message` once; a second call with the same key is a duplicate. */
  deliver(message: OutboundMessage, content: MessageContent, now?: Date): Promise<DeliveryResult>;
  list(): Promise<OutboxEntry[]>;
}

/**
 * Creates a file outbox in `dir`. Each message is written once under a name derived from its key: the file
 * is written in full to a temporary name, then hard-linked into place, which fails if the name exists. So a
 * retried activity reports `duplicate` instead of writing the message twice, and no reader sees half a file.
 */
export function createFileOutbox(dir: string): Outbox {
  return {
    dir,
    async deliver(message, content, now = new Date()) {
      await mkdir(dir, { recursive: true });
      const name = `${fileSafe(message.key)}.json`;
      const entry: OutboxEntry = {
        key: message.key,
        writtenAt: now.toISOString(),
        followUpId: message.followUpId,
        step: message.step,
        attempt: message.attempt,
        candidateId: message.candidateId,
        to: message.recipient,
        channels: message.channels,
        template: message.request.template,
        sms: content.sms,
        email: content.email && { subject: content.email.subject, text: content.email.text },
      };
      const temporary = join(dir, `.${name}.${randomUUID()}.tmp`);
      await writeFile(temporary, JSON.stringify(entry, null, 2) + '\n', { flag: 'wx' });
      try {
        await link(temporary, join(dir, name));
        return { key: message.key, status: 'sent', via: 'outbox', providerId: name };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          return { key: message.key, status: 'duplicate', via: 'outbox', providerId: name };
        }
        throw error;
      } finally {
        await unlink(temporary);
      }
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const entries = await Promise.all(
        names
          .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
          .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as OutboxEntry),
      );
      return entries.sort((a, b) => a.writtenAt.localeCompare(b.writtenAt) || a.key.localeCompare(b.key));
    },
  };
}

/** Keys contain `:` and may contain other characters that are awkward in file names. */
function fileSafe(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, '_');
}
