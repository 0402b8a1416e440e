import { genericAdapter } from './generic';
import { greenhouseAdapter } from './greenhouse';
import { huntrAdapter } from './huntr';
import { leverAdapter } from './lever';
import { type TrackerAdapter, type TrackerName } from './tracker-adapter';

export { genericAdapter, GENERIC_SIGNATURE_HEADER } from './generic';
export { greenhouseAdapter } from './greenhouse';
export { huntrAdapter, HUNTR_SIGNATURE_HEADER } from './huntr';
export { leverAdapter } from './lever';
export type {
  AdapterOptions,
  AdapterResult,
  HeaderBag,
  SignatureCheck,
  TrackerAdapter,
  TrackerEvent,
  TrackerName,
} from './tracker-adapter';

/** Every tracker adapter, by the name used in URLs and configuration. */
export const trackerAdapters: Readonly<Record<TrackerName, TrackerAdapter>> = {
  greenhouse: greenhouseAdapter,
  lever: leverAdapter,
  huntr: huntrAdapter,
  generic: genericAdapter,
};

/** Looks an adapter up by name (as it appears in a URL), or undefined for unknown names. */
export function findTrackerAdapter(name: string): TrackerAdapter | undefined {
  return Object.hasOwn(trackerAdapters, name) ? trackerAdapters[name as TrackerName] : undefined;
}
