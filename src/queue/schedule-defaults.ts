/** When the scheduled jobs run by default (Asia/Shanghai): apart from the scheduler, so the CLI can show them without loading BullMQ. */
export const DEFAULT_RETRAIN_CRON = '0 3 1 * *';
/** Daily at 05:00: the night's exports are in, and the 07:00 check and Monday's 06:00 run read them. */
export const DEFAULT_PULL_CRON = '0 5 * * *';
export const DEFAULT_ACUTE_CRON = '0 7,15 * * *';
export const DEFAULT_CRON = '0 6 * * 1';
export const DEFAULT_TZ = 'Asia/Shanghai';
