/** Dependency-injection tokens of the API. One place, so every provider agrees on them. */
export const CHUNKWISE_CONFIG = Symbol('CHUNKWISE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
export const API_RUNTIME = Symbol('API_RUNTIME');
