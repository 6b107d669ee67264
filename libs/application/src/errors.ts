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

/** The workflow engine cannot be reached (connect failed, or a call answered UNAVAILABLE): HTTP 503. */
export class TemporalUnavailableError extends Error {
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`Temporal is not reachable at ${address}; is \`chunkwise up\` running? (${detail})`);
    this.name = 'TemporalUnavailableError';
  }
}

/** A task update (approve, retry, skip, complete, edit) the workflow answered with a refusal: HTTP 409. */
export class UpdateRejectedError extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'UpdateRejectedError';
  }
}
