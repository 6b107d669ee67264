import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { UsageController } from './usage.controller';
import { UsageLedgerReader } from './usage-ledger-reader';

/** The usage ledger, budgets, stats and estimates (docs/cost.md). */
@Module({
  imports: [CqrsModule],
  controllers: [UsageController],
  providers: [UsageLedgerReader],
  exports: [UsageLedgerReader],
})
export class UsageModule {}
