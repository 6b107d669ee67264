import { type BeforeApplicationShutdown, Injectable, Logger, Module } from '@nestjs/common';
import {
  ChatRuns,
  ChatService,
  PlanCommandService,
  PlanningService,
  RepositoryService,
  SessionService,
} from '@chunkwise/application';
import { chatConfigFromEnv, type ChunkwiseConfig } from '@chunkwise/config';
import type { EventStore } from '@chunkwise/event-store';
import { AnthropicLlm, llmConfigFromEnv } from '@chunkwise/llm';
import { CHUNKWISE_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { newPlanId } from '../plans/plan-ids';
import { ChatController } from './chat.controller';

/** On shutdown, turns in progress stop before the stores close; their open tool calls resume later. */
@Injectable()
class ChatLifecycle implements BeforeApplicationShutdown {
  constructor(private readonly chat: ChatService) {}

  beforeApplicationShutdown(): void {
    this.chat.stop();
  }
}

/** The chat (interactive mode): ChatService on the plan, planning and session services. */
@Module({
  controllers: [ChatController],
  providers: [
    {
      provide: ChatService,
      inject: [
        CHUNKWISE_CONFIG,
        EVENT_STORE,
        PlanCommandService,
        PlanningService,
        SessionService,
        RepositoryService,
      ],
      useFactory: (
        config: ChunkwiseConfig,
        store: EventStore,
        plans: PlanCommandService,
        planning: PlanningService,
        sessions: SessionService,
        repositories: RepositoryService,
      ) => {
        const chat = config.chat ?? chatConfigFromEnv({});
        const llmConfig = config.llm ?? llmConfigFromEnv({});
        let llm: AnthropicLlm | undefined;
        return new ChatService({
          store,
          runs: new ChatRuns({ plans, planning, sessions, agents: chat.agents }),
          // Built on first use, like planning's, so a server without an API key serves everything else.
          llm: () =>
            (llm ??= new AnthropicLlm(
              { ...llmConfig, model: chat.model ?? llmConfig.model },
              { logger: new Logger('ChatLlm') },
            )),
          settings: chat,
          newPlanId,
          resolveRepository: (reference) => repositories.resolvePath(reference),
        });
      },
    },
    ChatLifecycle,
  ],
})
export class ChatModule {}
