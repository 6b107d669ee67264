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
