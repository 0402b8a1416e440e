import { join } from 'node:path';

/** What the drain phase asks of the floor (passed as JSON in FLOOR_JOB). */
export interface FloorJob {
  dataDir: string;
  taskQueue: string;
  starts: number;
  /** Starts per second: the pace of Debrief's burst in the same run. */
  rate: number;
  /**
   * A Temporal server to work for instead of an embedded one (the cluster phase): the process then only
   * runs a worker, and the bench starts the runs itself.
   */
  address?: string;
}

/** What the floor prints, after `burst: `, once every start has been answered. */
export interface FloorBurst {
  /** From the first start to the last answer. */
  seconds: number;
  /** When the last start was answered (ms since the epoch). */
  endedAt: number;
  failures: number;
  p99StartLagMs: number;
}

/** Where the floor's activity writes its acknowledgements, under the job's data folder. */
export const floorAcknowledgementDir = (dataDir: string) => join(dataDir, 'acknowledgements');

/** The floor's run ids: one per start of the burst. */
export const floorWorkflowId = (index: number) => `floor-${index}`;
