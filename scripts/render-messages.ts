/**
 * Prints Debrief's messages as the candidate (or their reference or connection) would receive them, for
 * three candidates: phone only, email only, and accented names. Each text shows its carrier segment count.
 *
 *   npm run render-messages -- [persona…]          every message Debrief can send, one after another
 *   npm run render-messages -- --days [persona…]   a whole follow-up, day by day, as the persona lives it
 */
import { smsSize } from '../src/domain/messages/templates';
import { describeEntry, personas, renderGallery } from '../test/helpers/message-gallery';
import { describeStory, tellPersonaStory } from '../test/helpers/persona-story';

const args = process.argv.slice(2);
const byDay = args.includes('--days');
const wanted = args.filter((arg) => arg !== '--days');
const chosen = personas.filter((p) => wanted.length === 0 || wanted.includes(p.key));

async function printDays(): Promise<void> {
  for (const persona of chosen) {
    process.stdout.write(`\n${describeStory(await tellPersonaStory(persona))}\n`);
  }
}

if (byDay) {
  void printDays();
} else {
  for (const persona of chosen) {
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
}
