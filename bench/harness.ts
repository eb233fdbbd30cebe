import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateDistrict } from '../src/generate/index.js';

/** Runs `fn` `repeats` times and returns the median wall time in milliseconds and the last result. */
export async function timed<T>(repeats: number, fn: () => Promise<T> | T): Promise<{ ms: number; all: number[]; result: T }> {
  const all: number[] = [];
  let result!: T;
  for (let i = 0; i < repeats; i++) {
    const t = process.hrtime.bigint();
    result = await fn();
    all.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { ms: sorted[Math.floor(sorted.length / 2)], all, result };
}

/**
 * A generated district, cached between runs (generation is not what is measured). Fortnightly
 * quizzes put grades into the first 8 weeks (12 rows a student), before the first monthly exam.
 */
export async function district(students: number, weeks: number, seed = 1): Promise<string> {
  const dir = join(process.env.EWS_BENCH_DIR ?? join(tmpdir(), 'ews-bench'), `${students}-${weeks}w-q-s${seed}`);
  if (!existsSync(join(dir, 'outcomes.csv'))) {
    process.stderr.write(`generating ${students} students × ${weeks} weeks into ${dir} …\n`);
    await generateDistrict({ out: dir, students, weeks, seed, quizzes: true });
  }
  return dir;
}

/**
 * A new, empty folder for one run's outputs. Outputs are kept, not deleted before the next run:
 * on these machines' ext4 (no journal) a file created within minutes of many deletions makes the
 * kernel skip every recently freed inode, and writing the 48,000 list files of a 1M run took
 * 13–35 s instead of 1–2 s. `npm run bench -- --clean` removes them.
 */
export async function freshOut(label: string): Promise<string> {
  const dir = join(RUNS, `${label}-${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}-${outs++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
export const RUNS = join(process.env.EWS_BENCH_DIR ?? join(tmpdir(), 'ews-bench'), 'runs');
let outs = 0;

/**
 * How fast this machine is right now: the median time of a plain loop counting line ends in
 * 256 MB. These shared machines vary by up to 2× over a day; figures are comparable only
 * alongside this one.
 */
export function scanLoopMs(): number {
  const bytes = new Uint8Array(256 << 20).fill(65);
  for (let i = 99; i < bytes.length; i += 100) bytes[i] = 10;
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    let lines = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
    times.push(performance.now() - t + (lines < 0 ? 1 : 0));
  }
  return Math.round(times.sort((a, b) => a - b)[1]);
}

export function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1048576);
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
