export { connect, redisReachable, redisUrl } from './connection.js';
export { enqueueDeliveries, startDeliveryWorker } from './deliver.js';
export { ingestFlow, scoringFlow, sourcesFlow } from './flows.js';
export { jobId, jobOptions, QUEUES, type QueueSettings } from './queues.js';
export { enqueueRun, waitForRun } from './run-on-queue.js';
export { startWorkers } from './workers.js';
export * from './schedule.js';
