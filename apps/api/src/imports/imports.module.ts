import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MulterModule } from '@nestjs/platform-express';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import { IMPORT_HANDLERS } from './import.handlers';
import { MAX_IMPORT_FILES } from './import-schemas';
import { ImportsController } from './imports.controller';

/**
 * Import and export of the plan formats other tools write (OpenSpec, Spec Kit, Task Master, Kiro,
 * MassGen) and of Chunkwise's own plan document. Uploads are held in memory, each file bounded by
 * the configured body limit (413 above it).
 */
@Module({
  imports: [
    CqrsModule,
    MulterModule.registerAsync({
      inject: [CHUNKWISE_CONFIG],
      useFactory: (config: ChunkwiseConfig) => ({
        limits: {
          fileSize: config.bodyLimit,
          files: MAX_IMPORT_FILES,
          fields: 20,
          fieldSize: 64 * 1024,
        },
      }),
    }),
  ],
  controllers: [ImportsController],
  providers: [...IMPORT_HANDLERS],
})
export class ImportsModule {}
