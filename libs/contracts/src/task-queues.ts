/** The shared task queue every Chunkwise worker polls. */
export const CHUNKWISE_TASK_QUEUE = 'chunkwise';

/** Activities that touch a work tree run on the queue of the host that holds it. */
export const hostTaskQueue = (base: string, host: string) => `${base}@${host}`;

/**
 * Each host also polls a liveness queue with a worker of its own that only answers a ping: a host busy
 * with long turns still answers it at once, a dead one never does. The workflow asks it when an
 * activity on the host's queue waits longer than the host grace to start.
 */
export const hostLivenessQueue = (hostQueue: string) => `${hostQueue}#alive`;
