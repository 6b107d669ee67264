import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { PlanningModule } from './planning/planning.module';
import { PlansModule } from './plans/plans.module';
import type { ApiRuntime } from './projection/api-runtime';
import { RuntimeLifecycle } from './projection/runtime-lifecycle.service';
import { SessionsModule } from './sessions/sessions.module';
import { API_RUNTIME } from './tokens';

/** Provides the runtime (stores, command service, projector) to every module, and owns its lifecycle. */
@Module({})
class RuntimeModule {
  static forRoot(runtime: ApiRuntime): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      providers: [{ provide: API_RUNTIME, useValue: runtime }, RuntimeLifecycle],
      exports: [API_RUNTIME],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(runtime: ApiRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        RuntimeModule.forRoot(runtime),
        PlansModule,
        PlanningModule,
        SessionsModule,
        HealthModule,
        ImportsModule,
      ],
    };
  }
}
