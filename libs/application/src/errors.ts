/** Raised when a write was based on a revision that is no longer current (HTTP 409). */
export class StaleRevisionError extends Error {
  constructor(
    readonly planId: string,
    readonly expectedRevision: number,
    readonly currentRevision: number,
  ) {
    super(`plan ${planId} is at revision ${currentRevision}, not ${expectedRevision}; reload and retry`);
    this.name = 'StaleRevisionError';
  }
}

/** Raised when a plan id names no plan (HTTP 404). */
export class PlanNotFoundError extends Error {
  constructor(readonly planId: string) {
    super(`plan ${planId} not found`);
    this.name = 'PlanNotFoundError';
  }
}
