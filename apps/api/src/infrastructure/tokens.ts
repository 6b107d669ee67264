/** Dependency-injection tokens of the API's infrastructure providers (interfaces have no class to inject by). */
export const CHUNKWISE_CONFIG = Symbol('CHUNKWISE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
/** The in-process projector, or null when another process projects. */
export const PROJECTOR = Symbol('PROJECTOR');
/** How long a write waits for the projector to reach it (read-your-writes), ms. */
export const PROJECTION_TIMEOUT_MS = Symbol('PROJECTION_TIMEOUT_MS');
/** Thresholds and timeouts of the readiness checks (health/health.service.ts HealthOptions). */
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');
