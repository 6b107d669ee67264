import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ChatModule } from './chat/chat.module';
import { GrpcModule } from './grpc/grpc.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { type Infrastructure, InfrastructureModule } from './infrastructure/infrastructure.module';
import { PlanningModule } from './planning/planning.module';
import { PlansModule } from './plans/plans.module';
import { RepositoriesModule } from './repositories/repositories.module';
import { RollbackModule } from './rollback/rollback.module';
import { SchedulesModule } from './schedules/schedules.module';
import { SessionsModule } from './sessions/sessions.module';
import { TemplatesModule } from './templates/templates.module';
import { UsageModule } from './usage/usage.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static forRoot(infrastructure: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(infrastructure),
        PlansModule,
        PlanningModule,
        SessionsModule,
        RollbackModule,
        UsageModule,
        RepositoriesModule,
        WebModule,
        HealthModule,
        ImportsModule,
        GrpcModule,
        ChatModule,
        TemplatesModule,
        SchedulesModule,
      ],
    };
  }
}
