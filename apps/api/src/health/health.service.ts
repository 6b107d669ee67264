import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { type EventStore, StorageFullError, storageFailureOf } from '@chunkwise/event-store';
import type { ReadModelStore } from '@chunkwise/read-models';
import { TemporalSessionWorkflows } from '@chunkwise/temporal';
import type { HealthChecks } from '../common/api-schemas';
import type { ApiProjector } from '../infrastructure/api-projector';
import type { HealthOptions } from '../infrastructure/health-options';
import {
  CHUNKWISE_CONFIG,
  EVENT_STORE,
  HEALTH_OPTIONS,
  PROJECTOR,
  READ_MODEL_STORE,
} from '../infrastructure/tokens';

type Check<K extends keyof HealthChecks> = HealthChecks[K];

const MIB = 1024 * 1024;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

class CheckTimeoutError extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late rejection after the timeout is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** statfs of `path`, or of its nearest existing ancestor (a data directory not created yet lives there). */
async function statfsNearest(path: string): Promise<StatsFs> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      return await statfs(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw e;
    }
  }
}

/**
 * The readiness checks: the event store (can it write now), the disk of the data directories, Temporal
 * (reachable), the projector (its lag, and whether its batches fail). Each check is cheap, bounded by a
 * timeout, and never writes an event; they run in parallel.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  private readonly started = Date.now();

  constructor(
    @Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(PROJECTOR) private readonly projector: ApiProjector | null,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    private readonly temporal: TemporalSessionWorkflows,
  ) {}

  get uptimeSeconds(): number {
    return Math.round((Date.now() - this.started) / 100) / 10;
  }

  /** Every check, in parallel. */
  async checks(): Promise<HealthChecks> {
    const [storage, temporal] = await Promise.all([this.storageChecks(), this.checkTemporal()]);
    const checks = { ...storage, temporal };
    if (temporal.state === 'down') this.logger.warn(`health: temporal is down: ${temporal.message}`);
    return checks;
  }

  /** The checks that decide whether plans can be read and written (everything but Temporal). */
  async storageChecks(): Promise<Omit<HealthChecks, 'temporal'>> {
    const [eventStore, disk, projector] = await Promise.all([
      this.checkEventStore(),
      this.checkDisk(),
      this.checkProjector(),
    ]);
    const checks = { eventStore, disk, projector };
    for (const [name, check] of Object.entries(checks))
      if (check.state === 'down') this.logger.warn(`health: ${name} is down: ${check.message}`);
    return checks;
  }

  async checkEventStore(): Promise<Check<'eventStore'>> {
    const kind = this.config.eventStore.kind;
    const probe = this.eventStore.probeWrite ? 'write' : 'read';
    const timeoutMs = this.options.eventStoreTimeoutMs ?? 3000;
    try {
      await withTimeout<unknown>(
        this.eventStore.probeWrite ? this.eventStore.probeWrite() : this.eventStore.headPosition(),
        timeoutMs,
        `the ${kind} event store`,
      );
      return {
        state: 'up',
        kind,
        probe,
        message: probe === 'write' ? 'the event store takes writes' : 'the event store answers reads',
      };
    } catch (e) {
      const classified =
        e instanceof StorageFullError ? { code: e.storageCode, reason: e.reason } : storageFailureOf(e);
      const text = classified
        ? classified.reason === 'full'
          ? `the event store cannot write: no space left on its storage (${classified.code}); writes answer 503 until space is freed`
          : `the event store cannot write: storage I/O error (${classified.code})`
        : `the event store cannot ${probe}: ${message(e)}`;
      return { state: 'down', kind, probe, ...(classified ? { code: classified.code } : {}), message: text };
    }
  }

  /** Directories whose disk the stores write to: the data directory and the SQLite files' directories. */
  private directories(): string[] {
    const dirs = new Set<string>([this.config.dataDir]);
    if (this.config.eventStore.kind === 'sqlite') dirs.add(dirname(this.config.eventStore.file));
    if (this.config.readModels.kind === 'sqlite') dirs.add(dirname(this.config.readModels.file));
    return [...dirs];
  }

  async checkDisk(): Promise<Check<'disk'>> {
    const configured = this.options.minFreeDiskBytes;
    const results = await Promise.all(
      this.directories().map(async (path) => {
        try {
          const s = await statfsNearest(path);
          // bavail: blocks an unprivileged writer may still use (bfree counts root's reserve too).
          return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, error: undefined };
        } catch (e) {
          return { path, freeBytes: null, totalBytes: null, error: message(e) };
        }
      }),
    );
    const thresholdOf = (total: number | null) =>
      configured ?? Math.min(64 * MIB, Math.max(64 * 1024, Math.floor((total ?? 0) * 0.02)));
    const minFreeBytes = Math.max(...results.map((r) => thresholdOf(r.totalBytes)));
    const problems: string[] = [];
    for (const r of results) {
      if (r.error !== undefined) problems.push(`cannot stat ${r.path}: ${r.error}`);
      else if (r.freeBytes! < thresholdOf(r.totalBytes))
        problems.push(
          `only ${r.freeBytes} bytes free in ${r.path} (need at least ${thresholdOf(r.totalBytes)}); free disk space`,
        );
    }
    return {
      state: problems.length ? 'down' : 'up',
      minFreeBytes,
      directories: results.map(({ path, freeBytes, totalBytes }) => ({ path, freeBytes, totalBytes })),
      message: problems.length ? problems.join('; ') : 'enough free space in every data directory',
    };
  }

  async checkTemporal(): Promise<Check<'temporal'>> {
    const address = this.config.temporal.address;
    const timeoutMs = this.options.temporalTimeoutMs ?? 2000;
    try {
      await withTimeout(this.temporal.ensureReachable(), timeoutMs, `Temporal at ${address}`);
      return { state: 'up', address, message: `Temporal answers at ${address}` };
    } catch (e) {
      return {
        state: 'down',
        address,
        message: `Temporal is not reachable at ${address} (execution routes answer 503): ${message(e)}`,
      };
    }
  }

  async checkProjector(): Promise<Check<'projector'>> {
    const { projector } = this;
    const mode = !projector ? 'off' : projector.isActive ? 'active' : 'standby';
    const maxLag = this.options.maxProjectorLag ?? 10_000;
    let checkpoint: number;
    let head: number;
    try {
      [checkpoint, head] = await Promise.all([
        this.readModels.getCheckpoint(),
        this.eventStore.headPosition(),
      ]);
    } catch (e) {
      return {
        state: 'down',
        mode,
        checkpoint: null,
        head: null,
        lag: null,
        maxLag,
        message: `a store cannot be read: ${message(e)}`,
      };
    }
    const lag = Math.max(0, head - checkpoint);
    const base = { mode, checkpoint, head, lag, maxLag } as const;
    const failure = projector?.failure;
    if (failure)
      return {
        state: 'down',
        ...base,
        message: `the projector has failed ${failure.attempts} time(s) in a row since ${failure.since} (retrying): ${failure.message}`,
      };
    if (lag > maxLag)
      return {
        state: 'down',
        ...base,
        message: `the read models lag ${lag} events behind (more than ${maxLag})`,
      };
    const who =
      mode === 'off'
        ? 'projected by another process'
        : mode === 'standby'
          ? 'standby; another projector is active'
          : 'active';
    return { state: 'up', ...base, message: `${who}; ${lag} event(s) behind` };
  }
}
