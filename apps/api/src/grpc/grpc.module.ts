import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RollbackModule } from '../rollback/rollback.module';
import { PlanGrpcController } from './plan.grpc.controller';
import { SessionGrpcController } from './session.grpc.controller';

/**
 * The gRPC adapters (chunkwise.v1.PlanService, chunkwise.v1.SessionService). Inert unless the API
 * connects the gRPC transport (CHUNKWISE_GRPC_PORT, see grpc-server.ts).
 */
@Module({
  imports: [CqrsModule, RollbackModule],
  controllers: [PlanGrpcController, SessionGrpcController],
})
export class GrpcModule {}
