import { Command } from '@nestjs/cqrs';
import type { ChunkChanges, ChunkInput } from '@chunkwise/domain';
import type { WriteOptions, WriteOutcome } from '../plan-writer.service';

export class AddChunkCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly chunk: ChunkInput,
    readonly index: number | undefined,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class UpdateChunkCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly key: string,
    readonly changes: ChunkChanges,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class RemoveChunkCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly key: string,
    readonly options: WriteOptions,
  ) {
    super();
  }
}

export class ReorderChunksCommand extends Command<WriteOutcome> {
  constructor(
    readonly planId: string,
    readonly order: string[],
    readonly options: WriteOptions,
  ) {
    super();
  }
}
