import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import type { ReadModelStore, ReplayResult } from '@chunkwise/read-models';
import { describeStore, loadCliConfig } from '../config-env';
import { contextOf, type Context, type Deps } from '../context';
import { CliError, EXIT_ERROR, ExitCode } from '../errors';
import { jsonDiff } from '../json-diff';
import { formatCount, formatDuration, printJson, step, type Io } from '../output';

interface ReplayOptions {
  dataDir?: string;
  verify?: boolean;
}

/** `chunkwise replay`: rebuild the read models from the event store (or check them with --verify). */
export function replayCommand(deps: Deps): Command {
  return new Command('replay')
    .description(
      'rebuild the read models from zero by replaying the event store (run it while `chunkwise up` is stopped)',
    )
    .option('--data-dir <dir>', 'data dir of the stores (env CHUNKWISE_DATA_DIR; default ./.chunkwise)')
    .option(
      '--verify',
      'replay into a scratch store and compare it with the live read models; changes nothing (works while the API runs)',
    )
    .action(async (opts: ReplayOptions, cmd: Command) => {
      const ctx = contextOf(cmd, deps);
      const { config } = await loadCliConfig(ctx.env, { dataDir: opts.dataDir });
      if (config.eventStore.kind === 'sqlite' && !existsSync(config.eventStore.file)) {
        throw new CliError(`no event store at ${config.eventStore.file}: nothing to replay`, [
          'is --data-dir (or CHUNKWISE_DATA_DIR) right? `chunkwise up` creates it on first start',
        ]);
      }
      const quiet: Io = { out: () => undefined, err: ctx.io.err, write: () => undefined };
      const progress = ctx.json ? quiet : ctx.io;
      const { createEventStore } = await import('@chunkwise/config');
      const eventStore = await createEventStore(config);
      try {
        if (opts.verify) await verify(ctx, progress, config, eventStore);
        else await rebuild(ctx, progress, config, eventStore);
      } finally {
        await eventStore.close();
      }
    });
}

const silentLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function rebuild(
  ctx: Context,
  progress: Io,
  config: ChunkwiseConfig,
  eventStore: EventStore,
): Promise<void> {
  const { createReadModelStore } = await import('@chunkwise/config');
  const { Projector, ProjectorLockUnavailableError } = await import('@chunkwise/read-models');
  const store = await createReadModelStore(config);
  try {
    const projector = new Projector(eventStore, store, { logger: silentLogger });
    let result: ReplayResult;
    try {
      result = await step(
        progress,
        `replaying the event store into ${describeStore(config.readModels)}`,
        () => projector.rebuild(),
      );
    } catch (err) {
      if (err instanceof ProjectorLockUnavailableError) {
        throw new CliError(
          'the read models are in use: a running API (`chunkwise up`) holds the projector lock',
          [
            'stop it first (Ctrl-C in its terminal), then run `chunkwise replay` again',
            'or compare them with a fresh replay without touching them: `chunkwise replay --verify`',
          ],
        );
      }
      throw err;
    }
    const plans = (await store.listPlans({ includeArchived: true })).length;
    if (ctx.json) {
      printJson(ctx.io, { ...result, plans, readModels: describeStore(config.readModels) });
      return;
    }
    ctx.io.out(
      `replayed ${formatCount(result.events)} events in ${formatDuration(result.durationMs)} ` +
        `(${formatCount(result.eventsPerSecond)} events/s); the read models now hold ${plans} plan${plans === 1 ? '' : 's'} ` +
        `(checkpoint ${result.toPosition})`,
    );
  } finally {
    await store.close();
  }
}

interface Snapshot {
  checkpoint: number;
  plans: Map<string, { summary: unknown; detail: unknown; history: unknown }>;
}

async function snapshot(store: ReadModelStore): Promise<Snapshot> {
  const checkpoint = await store.getCheckpoint();
  const plans = new Map<string, { summary: unknown; detail: unknown; history: unknown }>();
  for (const summary of await store.listPlans({ includeArchived: true })) {
    plans.set(summary.id, {
      summary,
      detail: await store.getPlan(summary.id),
      history: await store.getHistory(summary.id),
    });
  }
  return { checkpoint, plans };
}

function compare(live: Snapshot, fresh: Snapshot): string[] {
  const diffs: string[] = [];
  for (const [id, f] of fresh.plans) {
    const l = live.plans.get(id);
    if (!l) {
      diffs.push(`plan ${id}: missing from the live read models`);
      continue;
    }
    for (const part of ['summary', 'detail', 'history'] as const) {
      for (const d of jsonDiff(l[part], f[part], 5, ['live', 'replayed']))
        diffs.push(`plan ${id} ${part} ${d}`);
    }
  }
  for (const id of live.plans.keys())
    if (!fresh.plans.has(id)) diffs.push(`plan ${id}: in the live read models but not in the event store`);
  return diffs;
}

async function verify(
  ctx: Context,
  progress: Io,
  config: ChunkwiseConfig,
  eventStore: EventStore,
): Promise<void> {
  if (config.readModels.kind === 'sqlite' && !existsSync(config.readModels.file)) {
    throw new CliError(
      `no read models at ${config.readModels.file} to verify (run \`chunkwise replay\` to build them)`,
    );
  }
  const { createReadModelStore } = await import('@chunkwise/config');
  const { Projector } = await import('@chunkwise/read-models');
  const scratchDir = mkdtempSync(join(tmpdir(), 'chunkwise-verify-'));
  const scratchConfig: ChunkwiseConfig = {
    ...config,
    readModels: { kind: 'sqlite', file: join(scratchDir, 'read-models.db') },
  };
  const scratch = await createReadModelStore(scratchConfig);
  const live = await createReadModelStore(config);
  try {
    await live.init();
    const projector = new Projector(eventStore, scratch, { logger: silentLogger });
    const result = await step(progress, 'replaying the event store into a scratch store', () =>
      projector.rebuild(),
    );
    let fresh = await snapshot(scratch);
    let current = await snapshot(live);
    // The live projector may be a moment behind (or new events may arrive): let both reach the same point.
    for (let attempt = 0; attempt < 20 && current.checkpoint !== fresh.checkpoint; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      await projector.catchUp();
      fresh = await snapshot(scratch);
      current = await snapshot(live);
    }
    const diffs = compare(current, fresh);
    if (current.checkpoint !== fresh.checkpoint) {
      diffs.unshift(
        `checkpoint: live ${current.checkpoint}, replayed ${fresh.checkpoint} (is the live projector running and keeping up?)`,
      );
    }
    const match = diffs.length === 0;
    if (ctx.json) {
      printJson(ctx.io, {
        match,
        events: result.events,
        durationMs: result.durationMs,
        eventsPerSecond: result.eventsPerSecond,
        plans: fresh.plans.size,
        checkpoint: fresh.checkpoint,
        differences: diffs,
      });
    } else if (match) {
      ctx.io.out(
        `✓ the read models match a fresh replay: ${fresh.plans.size} plan${fresh.plans.size === 1 ? '' : 's'}, ` +
          `${formatCount(result.events)} events replayed in ${formatDuration(result.durationMs)} ` +
          `(${formatCount(result.eventsPerSecond)} events/s), checkpoint ${fresh.checkpoint}`,
      );
    } else {
      ctx.io.out(
        [
          `✗ the read models differ from a fresh replay (${diffs.length} difference${diffs.length === 1 ? '' : 's'}):`,
          ...diffs.map((d) => `  - ${d}`),
        ].join('\n'),
      );
      ctx.io.out('  fix: stop the API and run `chunkwise replay` to rebuild them');
    }
    if (!match) throw new ExitCode(EXIT_ERROR);
  } finally {
    await scratch.close();
    await live.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}
