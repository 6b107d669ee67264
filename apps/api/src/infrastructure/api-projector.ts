/** The projector as the API uses it (implemented by @chunkwise/read-models' Projector). */
export interface ApiProjector {
  start(): Promise<void>;
  stop(): Promise<void>;
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  /** Whether this instance holds the projector lock (false: standby). */
  readonly isActive: boolean;
  /** Highest checkpoint this instance knows to be committed. */
  readonly checkpoint: number;
  /** Set while the follow loop's batches keep failing (e.g. the read-model store's disk is full). */
  readonly failure?: { attempts: number; message: string; since: string };
}
