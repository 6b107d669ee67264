import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RepositoriesController, REPOSITORY_HANDLERS } from './repositories';

/** Registered git repositories that plans target as `repo:<id>`. */
@Module({
  imports: [CqrsModule],
  controllers: [RepositoriesController],
  providers: [...REPOSITORY_HANDLERS],
})
export class RepositoriesModule {}
