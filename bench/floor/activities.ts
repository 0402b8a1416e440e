import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One acknowledgement file as the floor writes it: which run, and when. */
export interface FloorAcknowledgement {
  workflowId: string;
  writtenAt: string;
}

/** The floor's one activity: a file per acknowledgement in `dir`, written once (a retry finds it there). */
export function createFloorActivities(dir: string) {
  return {
    async acknowledge(workflowId: string): Promise<void> {
      const entry: FloorAcknowledgement = { workflowId, writtenAt: new Date().toISOString() };
      try {
        await writeFile(join(dir, `${workflowId}.json`), `${JSON.stringify(entry)}\n`, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
