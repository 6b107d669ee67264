#!/usr/bin/env node
import { exitQuietlyOnClosedPipe } from './output';
import { run } from './program';

// Before anything is written: every command's output may go to a pipe that closes early.
exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);

/** Entry point of `chunkwise` (bin/chunkwise.js requires the compiled form of this file). */
run(process.argv).then(
  (code) => {
    process.exitCode = code;
    // Nothing should keep the process alive now (after `up` stopped everything); never hang if it does.
    setTimeout(() => process.exit(code), 5_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
