import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';
import { toGrpcError } from './grpc-errors';

/**
 * The gRPC counterpart of ApiExceptionFilter: every error of a gRPC handler (and of the auth guard)
 * becomes a gRPC status through the REST API's one mapping. Internal errors are logged with their
 * stack and answered generically (INTERNAL).
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcExceptionFilter');

  catch(exception: unknown): Observable<never> {
    const cause = exception instanceof RpcException ? exception.getError() : exception;
    const { error, internal } = toGrpcError(cause);
    if (internal) {
      const detail = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
      this.logger.error(`gRPC call failed: ${detail}`);
    }
    return throwError(() => error);
  }
}
