import { Module } from '@nestjs/common';
import { ProjectionSync } from '../projection/projection-sync.service';
import { PlanningController } from './planning.controller';

@Module({
  controllers: [PlanningController],
  providers: [ProjectionSync],
})
export class PlanningModule {}
