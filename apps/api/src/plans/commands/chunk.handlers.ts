import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PlanWriter, type WriteOutcome } from '../plan-writer.service';
import {
  AddChunkCommand,
  RemoveChunkCommand,
  ReorderChunksCommand,
  UpdateChunkCommand,
} from './chunk.commands';

@CommandHandler(AddChunkCommand)
export class AddChunkHandler implements ICommandHandler<AddChunkCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, chunk, index, options }: AddChunkCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'AddChunk', chunk, index }, options);
  }
}

@CommandHandler(UpdateChunkCommand)
export class UpdateChunkHandler implements ICommandHandler<UpdateChunkCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, key, changes, options }: UpdateChunkCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'UpdateChunk', key, changes }, options);
  }
}

@CommandHandler(RemoveChunkCommand)
export class RemoveChunkHandler implements ICommandHandler<RemoveChunkCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, key, options }: RemoveChunkCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'RemoveChunk', key }, options);
  }
}

@CommandHandler(ReorderChunksCommand)
export class ReorderChunksHandler implements ICommandHandler<ReorderChunksCommand> {
  constructor(private readonly writer: PlanWriter) {}
  execute({ planId, order, options }: ReorderChunksCommand): Promise<WriteOutcome> {
    return this.writer.execute(planId, { type: 'ReorderChunks', order }, options);
  }
}
