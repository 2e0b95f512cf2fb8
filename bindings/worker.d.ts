// Types for 'wasyncio/worker': helpers for JS job modules run by a WorkerPool.

/** The job this worker is running ({ id, signal }), or null. Capture it at the start of a job. */
export declare function currentJob(): { id: number; signal: AbortSignal } | null;
/** Move (not copy) value's buffer (or the listed transferables) back to the main thread. */
export declare function transfer<T>(value: T, list?: readonly object[]): T;
