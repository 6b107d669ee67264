/** The projector as the API uses it (implemented by @chunkwise/read-models' Projector). */
export interface ApiProjector {
  start(): Promise<void>;
  stop(): Promise<void>;
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  /** Whether this instance holds the projector lock (false: standby). */
  readonly isActive: boolean;
}
