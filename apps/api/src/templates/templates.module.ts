import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PlanCommandService, TemplateService } from '@chunkwise/application';
import type { EventStore } from '@chunkwise/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { PlanTemplateController, TEMPLATE_HANDLERS, TemplatesController } from './templates';

/** Plan templates: built-in (files in templates/) and saved (event-sourced, versioned). */
@Module({
  imports: [CqrsModule],
  controllers: [TemplatesController, PlanTemplateController],
  providers: [
    {
      provide: TemplateService,
      inject: [EVENT_STORE, PlanCommandService],
      useFactory: (store: EventStore, plans: PlanCommandService) => new TemplateService(store, plans),
    },
    ...TEMPLATE_HANDLERS,
  ],
})
export class TemplatesModule {}
