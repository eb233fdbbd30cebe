import pino, { type Logger } from 'pino';

/**
 * Keys that must never reach a log line, whatever object a caller hands the logger.
 * A defence in depth: code should not log them in the first place.
 */
export const REDACTED_KEYS = [
  'note',
  'notes',
  'display_name',
  'name',
  'email',
  'webhook_url',
  'password',
  'disability',
  'ethnic_minority',
  'wellbeing',
  'score_detail',
] as const;

function buildLogger(): Logger {
  const redact0 = { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' };
  // EWS_LOG_FILE: every line at debug and above also goes to this file (the test run's log is
  // scanned for anything personal after the tests; see scripts/scan-logs.mjs).
  if (process.env.EWS_LOG_FILE) {
    const file = pino.destination({ dest: process.env.EWS_LOG_FILE, append: true, sync: true, mkdir: true });
    return pino({ level: 'debug', redact: redact0 }, file);
  }
  const level = process.env.EWS_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  const pretty = process.stderr.isTTY && !process.env.CI && process.env.EWS_LOG_FORMAT !== 'json';
  const redact = { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' };
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, redact }, pino.destination(2));
}

/** The process logger: JSON lines on standard error (pretty on a terminal). */
export const log: Logger = buildLogger();
