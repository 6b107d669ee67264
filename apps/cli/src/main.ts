#!/usr/bin/env node
import { run } from './program';

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
