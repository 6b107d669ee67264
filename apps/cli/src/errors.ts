/** Exit codes of the `chunkwise` command. */
export const EXIT_OK = 0;
/** The server refused the request, a file is wrong, something failed. */
export const EXIT_ERROR = 1;
/** The command line itself is wrong (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/** An error meant for the user: printed as `error: <message>` followed by `details`, one per line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
    readonly exitCode: number = EXIT_ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A wrong command line that commander cannot detect by itself (e.g. neither <id> nor --file). */
export class UsageError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(message, details, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** Exit quietly with this code (the command already printed what it had to say). */
export class ExitCode extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitCode';
  }
}
