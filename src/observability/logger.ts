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
