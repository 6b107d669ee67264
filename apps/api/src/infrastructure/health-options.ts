/** Thresholds and timeouts of the readiness checks (createApp's `health` option; health/health.service.ts). */
export interface HealthOptions {
  /**
   * Below this many free bytes in a data directory the disk check is down. Default: 2% of the
   * volume, at least 64 KiB and at most 64 MiB.
   */
  minFreeDiskBytes?: number;
  /** Above this many unprojected events the projector check is down. Default 10 000. */
  maxProjectorLag?: number;
  /** How long the Temporal check may take before it counts as unreachable. Default 2000 ms. */
  temporalTimeoutMs?: number;
  /** How long the event-store write probe may take. Default 3000 ms. */
  eventStoreTimeoutMs?: number;
}
