import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ExecutionHistoryReader } from './execution-history-reader';
import { StatsController } from './stats.controller';
import { UsageController } from './usage.controller';
import { UsageLedgerReader } from './usage-ledger-reader';

/** The usage ledger, budgets, stats and estimates (docs/cost.md). */
@Module({
  imports: [CqrsModule],
  controllers: [UsageController, StatsController],
  providers: [UsageLedgerReader, ExecutionHistoryReader],
})
export class UsageModule {}
