import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chunkwiseBundlerOptions, defaultWorkflowBundlePath, workflowsEntryPath } from './worker';

/**
 * Bundles the workflow code ahead of time so workers start without running webpack.
 * Run as `node dist/libs/temporal/src/workflow-bundle.js [outFile]` (setup does it after a build).
 */
export async function writeWorkflowBundle(outFile: string = defaultWorkflowBundlePath()): Promise<string> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { webpackConfigHook } = chunkwiseBundlerOptions();
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntryPath(), webpackConfigHook });
  const target = resolve(outFile);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  return target;
}

if (require.main === module) {
  writeWorkflowBundle(process.argv[2]).then(
    (file) => console.log(`workflow bundle written to ${file}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
