import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { ChunkwiseConfig } from '@chunkwise/config';
import { bearerToken, tokenMatches } from '../common/bearer-auth';
import { CHUNKWISE_CONFIG } from '../infrastructure/tokens';
import { GrpcUnauthenticatedError } from './grpc-errors';

/** When CHUNKWISE_API_TOKEN is set, every call must carry the metadata `authorization: Bearer <token>`. */
@Injectable()
export class GrpcAuthGuard implements CanActivate {
  constructor(@Inject(CHUNKWISE_CONFIG) private readonly config: ChunkwiseConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.apiToken;
    if (!token) return true;
    const metadata = context.switchToRpc().getContext<Metadata | undefined>();
    const value = metadata?.get('authorization')[0];
    const presented = bearerToken(typeof value === 'string' ? value : undefined);
    if (presented !== undefined && tokenMatches(presented, token)) return true;
    throw new GrpcUnauthenticatedError();
  }
}
