/** The shared task queue every Chunkwise worker polls. */
export const CHUNKWISE_TASK_QUEUE = 'chunkwise';

/** Activities that touch a work tree run on the queue of the host that holds it. */
export const hostTaskQueue = (base: string, host: string) => `${base}@${host}`;
