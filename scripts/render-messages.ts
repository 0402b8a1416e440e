/**
 * Prints every message Debrief can send, as the candidate (or their reference or connection) would receive
 * it, for three candidates: phone only, email only, and accented names. Each text shows its carrier
 * segment count. `npm run render-messages -- [phone-only|email-only|accented]`
 */
import { smsSize } from '../src/domain/messages/templates';
import { describeEntry, personas, renderGallery } from '../test/helpers/message-gallery';

const wanted = process.argv.slice(2);
for (const persona of personas.filter((p) => wanted.length === 0 || wanted.includes(p.key))) {
  process.stdout.write(`\n##### ${persona.key}: ${persona.name}, ${persona.description}\n\n`);
  for (const entry of renderGallery(persona)) {
    process.stdout.write(`${describeEntry(entry)}\n`);
    if (entry.content.sms !== undefined && entry.channels.includes('sms')) {
      const size = smsSize(entry.content.sms);
      process.stdout.write(`(${size.encoding}, ${size.units} units, ${size.segments} segment(s))\n`);
    }
    process.stdout.write('\n');
  }
}
