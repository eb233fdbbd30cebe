import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OptionError } from '../../errors/index.js';
import { FILE_SPECS } from '../spec/index.js';

const SOURCE_NAMES = FILE_SPECS.map((s) => s.name) as [string, ...string[]];

/**
 * A school system's databases and one query per source, each selecting the contract's columns by
 * name (`select xh as student_id, rq as date, …`). `:since` in a query stands for the day of the
 * last pull of that source from this config (0001-01-01 on the first), for a delta by modification day.
 */
export const SqlConfig = z
  .object({
    /** Name → url (`postgres://…` or `mysql://…`); `${VAR}` is read from the environment, so passwords stay out of the file. */
    connections: z.record(z.string(), z.string().min(1)),
    sources: z.partialRecord(
      z.enum(SOURCE_NAMES),
      z.object({
        connection: z.string(),
        query: z.string().min(1),
        /** When `ews schedule` pulls this source (default: the config's cron). */
        cron: z.string().optional(),
      }),
    ),
    /** Default pull schedule of every source (default `0 5 * * *`, before the day's acute check). */
    cron: z.string().optional(),
  })
  .refine((c) => Object.values(c.sources).every((s) => s!.connection in c.connections), { message: 'every source must name one of the connections' });

export type SqlConfig = z.infer<typeof SqlConfig>;

export function readSqlConfig(path: string): SqlConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new OptionError('--sql', `${path} is not a readable JSON file (${(e as Error).message})`);
  }
  const parsed = SqlConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OptionError('--sql', `${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}
