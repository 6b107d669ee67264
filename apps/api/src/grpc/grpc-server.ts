import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';

export const GRPC_PACKAGE = 'chunkwise.v1';
export const GRPC_SERVICES = [`${GRPC_PACKAGE}.PlanService`, `${GRPC_PACKAGE}.SessionService`];
export const PROTO_FILES = ['chunkwise/v1/plan.proto', 'chunkwise/v1/session.proto'];

/** proto-loader options: camelCase fields (as ts-proto generates them), int64 as numbers, defaults filled in. */
export const LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The `proto/` directory of the package (next to package.json), from src/ or dist/. */
export function protoDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto');
    if (existsSync(path.join(candidate, PROTO_FILES[0]))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`proto/${PROTO_FILES[0]} not found above ${from}`);
  }
}

/** `host:port` for grpc-js (IPv6 hosts in brackets). */
export function grpcAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The options of NestJS's gRPC transport for the API process: the plan and session services from
 * proto/chunkwise/v1, plus the standard health service (grpc.health.v1.Health: SERVING for "" and
 * each service) and server reflection (v1 and v1alpha), so that grpcurl and similar tools work.
 */
export function grpcOptions(host: string, port: number): GrpcOptions {
  const includeDirs = [protoDir()];
  return {
    transport: Transport.GRPC,
    options: {
      package: GRPC_PACKAGE,
      protoPath: PROTO_FILES,
      url: grpcAddress(host, port),
      loader: { ...LOADER_OPTIONS, includeDirs },
      onLoadPackageDefinition: (_pkg: PackageDefinition, server: Server) => {
        const health = new HealthImplementation({
          '': 'SERVING',
          ...Object.fromEntries(GRPC_SERVICES.map((s) => [s, 'SERVING' as const])),
        });
        health.addToServer(server);
        // Reflection describes the protos as written (snake_case fields), not the camelCase view the
        // handlers get from proto-loader: clients such as grpcurl build requests from these descriptors.
        const asWritten = { ...LOADER_OPTIONS, keepCase: true };
        new ReflectionService({
          ...loadSync(PROTO_FILES, { ...asWritten, includeDirs }),
          ...loadSync(healthProtoPath, asWritten),
        }).addToServer(server);
      },
    },
  };
}
