import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireDay, todayInChina } from '../dates/index.js';
import { EwsError, OptionError } from '../errors/index.js';
import { log } from '../observability/index.js';
import { ENCODING_ALIASES, isHistory, loadDistrict, pullFailures, pullFrom, readManifest, STAFF_ROLES, sumCounts, type Encoding } from '../sources/index.js';
import { generateCommand } from './commands/generate.js';
import { describeSummary, validateFolder } from './commands/validate.js';
import { DEFAULT_ACUTE_CRON, DEFAULT_CRON, DEFAULT_PULL_CRON, DEFAULT_RETRAIN_CRON, DEFAULT_TZ } from '../queue/schedule-defaults.js';
import type { RunSummary } from '../pipeline/index.js';

// The heavy parts (TensorFlow.js, PGlite, fastify, BullMQ) load when a verb needs them, so that `ews pull`,
// `ews validate` or `--help` do not pay for them at every start.
const models = () => import('./commands/model-commands.js');
const running = () => import('./commands/run.js');
const followup = () => import('./commands/followup-commands.js');
const report = () => import('../report/index.js');
const queue = () => import('../queue/index.js');
const store = () => import('../store/index.js');
const web = () => import('../web/index.js');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_DIR = join(ROOT, 'data', 'sample');
/** A Monday in the sample's school year with weeks of history behind it and outcomes ahead. */
export const SAMPLE_AS_OF = '2026-06-01';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number above 0`);
  return n;
};
const encoding = (v: string): Encoding => {
  const e = ENCODING_ALIASES[v.toLowerCase()];
  if (!e) throw new InvalidArgumentError(`unknown encoding; use one of ${Object.keys(ENCODING_ALIASES).join(', ')}`);
  return e;
};
const featurePolicy = (v: string) => {
  if (v !== 'behaviour' && v !== 'all') throw new InvalidArgumentError('policies are behaviour and all');
  return v;
};
const mitigationName = (v: string) => {
  if (!['auto', 'none', 'reweigh', 'group_offsets'].includes(v)) throw new InvalidArgumentError('mitigations are auto, none, reweigh and group_offsets');
  return v as 'auto' | 'none' | 'reweigh' | 'group_offsets';
};
const kinds = (v: string) => {
  const list = v.split(',').map((k) => k.trim());
  for (const k of list) if (k !== 'logistic' && k !== 'mlp' && k !== 'gbt') throw new InvalidArgumentError('kinds are logistic, mlp and gbt');
  return list;
};
const todayOption = () => new Option('--today <date>', 'treat dates after this day as impossible (default: today in Asia/Shanghai)');

function describeRun(s: RunSummary, out: string): string {
  return [
    `scored ${s.students_scored} of ${s.students_read} students as of ${s.as_of} with ${s.model_id} (${s.mode})`,
    `  high ${s.tiers.high}, medium ${s.tiers.medium}, low ${s.tiers.low}; ${s.rows_rejected} rows rejected`,
    `  ${s.lists.head_teacher} head-teacher lists and ${s.lists.triage} triage lists in ${join(out, 'lists')}`,
  ].join('\n');
}

/** Where pulls keep what they take in: --history, else EWS_HISTORY, else .ews/history. */
const historyDir = (given?: string): string => given ?? process.env.EWS_HISTORY ?? join('.ews', 'history');

/** What a command prints for scripts: one JSON object on the last line of standard output. */
function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function buildProgram(): Command {
  const program = new Command('ews')
    .description('Dropout-risk early warning for schools: weekly ranked and explained lists, from attendance, grades, family and aid records.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('validate')
    .description('read and check every file of a data folder; write rejects.csv and summary.json, nothing else')
    .requiredOption('--data <dir>', 'data folder (CONTRACT.md)')
    .requiredOption('--out <dir>', 'where rejects.csv and summary.json go')
    .option('--encoding <name>', 'force a text encoding instead of detecting it', encoding)
    .addOption(todayOption())
    .action(async (o) => {
      const { summary } = await validateFolder({ data: o.data, out: o.out, encoding: o.encoding, today: o.today && requireDay('--today', o.today) });
      process.stdout.write(describeSummary(summary) + '\n');
      printJson({ students: summary.students, rows_rejected: summary.rows_rejected, out: o.out });
    });

  program
    .command('generate')
    .description('write a synthetic district (students, attendance, grades, family events, aid, screenings, canteen, outcomes)')
    .requiredOption('--out <dir>', 'folder to write')
    .option('--students <n>', 'number of students', positiveInt('--students'), 2000)
    .option('--weeks <n>', 'weeks of the school year, from its first Monday', positiveInt('--weeks'), 44)
    .option('--seed <n>', 'random seed: the same seed gives the same district', positiveInt('--seed'), 1)
    .option('--start <date>', 'first Monday of the school year', '2025-09-01')
    .option('--quizzes', 'add fortnightly quizzes in three subjects (grades within the first weeks)', false)
    .option('--profile <name>', 'full, or sparse: no canteen cards or screenings, about 7% of school days unrecorded', 'full')
    .option('--truth', "also write truth.csv, each student-week's hidden dropout hazard (for benchmarks)", false)
    .option(
      '--interventions',
      'plant follow-up steps with known effects (tutoring helps, parents called does not): followup_steps.csv, for ews effects --steps',
      false,
    )
    .option('--names', "give students synthetic names and guardians' contacts (phones start 100: nobody real is rung)", false)
    .option('--by-date', 'write the daily files in date order, as attendance and canteen systems export them', false)
    .option('--long-ids', 'student ids of 17 characters, as a 学籍号', false)
    .option('--crlf', 'end lines with CRLF, as Windows tools do', false)
    .option('--per-school', 'write each source as a folder of one file per school (attendance/<school>.csv)', false)
    .option('--weekly', "also write the district as weekly exports to pull in turn (OUT/weeks/<Sunday>/: that week's rows, the whole roll)", false)
    .action(async (o) => {
      const result = await generateCommand({
        out: o.out,
        students: o.students,
        weeks: o.weeks,
        seed: o.seed,
        start: o.start,
        quizzes: o.quizzes,
        profile: o.profile,
        truth: o.truth,
        interventions: o.interventions,
        names: o.names,
        layout: { byDate: o.byDate, longIds: o.longIds, crlf: o.crlf, perSchool: o.perSchool, weekly: o.weekly },
      });
      process.stdout.write(`wrote ${result.students} students in ${result.schools} schools and ${result.classes} classes to ${o.out}\n`);
      printJson(result);
    });

  program
    .command('start')
    .description('the weekly run on the bundled sample, through BullMQ when Redis answers (what `npm start` runs)')
    .option('--data <dir>', 'data folder', SAMPLE_DIR)
    .option('--out <dir>', 'output folder', 'out/sample')
    .option('--as-of <date>', 'as-of date', SAMPLE_AS_OF)
    .action(async (o) => {
      const s = await (await running()).runCommand({ data: o.data, out: o.out, asOf: requireDay('--as-of', o.asOf), via: 'auto' });
      process.stdout.write(describeRun(s, o.out) + '\n');
      process.stdout.write(`open ${join(o.out, 'lists')} for the head teachers' and psychologists' lists (HTML and CSV)\n`);
    });

  program
    .command('pull')
    .description(
      'add a folder (a full re-export or only what is new; any source may be absent) to a kept history, and count new, changed, unchanged and refused rows',
    )
    .requiredOption('--data <dir>', 'folder to pull (CONTRACT.md layout)')
    .option('--history <dir>', 'the kept history (default: EWS_HISTORY, else .ews/history)')
    .option('--seen-on <date>', "the day this pull's rows count as first seen (default: today in Asia/Shanghai; for loading past exports in order)")
    .option('--encoding <name>', 'force a text encoding instead of detecting it', encoding)
    .addOption(todayOption())
    .action(async (o) => {
      const r = await pullFrom(
        { data: o.data, sql: o.sql, only: o.only?.split(',').map((x: string) => x.trim()) },
        {
          history: historyDir(o.history),
          encoding: o.encoding,
          seenOn: o.seenOn && requireDay('--seen-on', o.seenOn),
          today: o.today && requireDay('--today', o.today),
        },
      );
      const t = r.totals;
      process.stderr.write(`pull ${r.pull} into ${r.history}: ${t.new} new, ${t.changed} changed, ${t.unchanged} unchanged, ${t.refused} refused rows\n`);
      printJson(r);
    });

  program
    .command('pulls')
    .description("a kept history's pulls (when, from where, rows new, changed, unchanged, refused) and the pulls that failed")
    .option('--history <dir>', 'the kept history (default: EWS_HISTORY, else .ews/history)')
    .option('--last <n>', 'only the last n of each', positiveInt('--last'), 20)
    .action(async (o) => {
      const dir = historyDir(o.history);
      const pulls = isHistory(dir) ? readManifest(dir).pulls.slice(-o.last) : [];
      const failures = pullFailures(dir).slice(-o.last);
      for (const p of pulls) {
        const t = sumCounts(Object.values(p.sources));
        process.stdout.write(
          `${p.seq}  ${p.pulled_at}  seen ${p.seen_on}  ${p.from}  ${t.new} new, ${t.changed} changed, ${t.unchanged} unchanged, ${t.refused} refused\n`,
        );
      }
      for (const f of failures) process.stdout.write(`FAILED ${f.at}  ${f.from}  try ${f.attempt}${f.final ? ' (last)' : ''}  ${f.code ?? ''} ${f.message}\n`);
      printJson({ history: dir, pulls, failures });
    });

  program
    .command('run')
    .description('the weekly job once: ingest, features, score, lists (scores.csv, lists/, summary.json, rejects.csv)')
    .option('--data <dir>', 'data folder (default: the kept history, see --history)')
    .option('--history <dir>', 'score from a kept history instead of a data folder (default: EWS_HISTORY, else .ews/history)')
    .option('--known-on <date>', 'read the history as it was known on this day (default: on the as-of day: a past week re-run as it was known then)')
    .requiredOption('--as-of <date>', 'score as of this day, from rows dated on or before it')
    .requiredOption('--out <dir>', 'output folder')
    .option('--model <id>', 'model id (default: the model in use)')
    .addOption(new Option('--lang <lang>', 'language of the lists').choices(['zh-CN', 'en']).default('zh-CN'))
    .option('--high-per-class <n>', 'at most this many students of a class on the high tier', positiveInt('--high-per-class'), 3)
    .option('--encoding <name>', 'force a text encoding instead of detecting it', encoding)
    .option('--keep-work', 'keep intermediate files under OUT/.work')
    .option('--no-record', 'keep no system of record: the output files only (default: DATABASE_URL, else EWS_DB, else .ews/db)')
    .addOption(new Option('--via <how>', 'in-process, queue (BullMQ, needs Redis) or auto').choices(['in-process', 'queue', 'auto']).default('in-process'))
    .action(async (o) => {
      if (o.data && o.history) throw new OptionError('--data', 'give --data or --history, not both');
      const s = await (await running()).runCommand({
        database: o.record === false ? null : undefined,
        data: o.data ?? historyDir(o.history),
        // From a history, what was known by D (a row pulled later is not a feature of D); a folder is what it is.
        knownOn: o.knownOn ? requireDay('--known-on', o.knownOn) : isHistory(o.data ?? historyDir(o.history)) ? requireDay('--as-of', o.asOf) : undefined,
        out: o.out,
        asOf: requireDay('--as-of', o.asOf),
        model: o.model,
        lang: o.lang,
        tiers: { highPerClass: o.highPerClass },
        encoding: o.encoding,
        keepWork: o.keepWork,
        via: o.via,
      });
      process.stdout.write(describeRun(s, o.out) + '\n');
      printJson({ out: o.out, model_id: s.model_id, students_scored: s.students_scored, tiers: s.tiers, rows_rejected: s.rows_rejected });
    });

  program
    .command('worker')
    .description('serve the pipeline queues on BullMQ (REDIS_URL) until SIGTERM; start as many as you have machines')
    .option('--concurrency <n>', 'jobs at once per stage', positiveInt('--concurrency'), 1)
    .option('--stages <list>', 'stages to serve: ingest,features,score,lists,run,plan,deliver (default all)')
    .option('--prefix <name>', 'Redis key prefix of the queues', 'ews')
    .option('--lock-ms <n>', "a dead worker's job is taken over after about this long", positiveInt('--lock-ms'))
    .action(async (o) => {
      const stages = o.stages ? String(o.stages).split(',') : undefined;
      const q = await queue();
      const workers = q.startWorkers({
        concurrency: o.concurrency,
        prefix: o.prefix,
        lockMs: o.lockMs,
        stages: stages?.filter((s) => s !== 'plan' && s !== 'deliver') as never,
      });
      const plan = !stages || stages.includes('plan') ? q.startPlanWorker() : null;
      const db = !stages || stages.includes('deliver') ? await (await store()).openDb() : null;
      const delivery = db ? q.startDeliveryWorker(db) : null;
      log.info({ redis: q.redisUrl().replace(/\/\/[^@]*@/, '//***@'), queues: workers.workers.map((w) => w.name) }, 'workers started');
      await new Promise<void>((done) => {
        const stop = async (signal: string) => {
          log.info({ signal }, 'closing workers: finishing the jobs in hand');
          await workers.close();
          await plan?.close();
          await delivery?.close();
          await db?.close();
          done();
        };
        process.once('SIGTERM', () => void stop('SIGTERM'));
        process.once('SIGINT', () => void stop('SIGINT'));
      });
    });

  program
    .command('schedule')
    .description("install, show or remove the weekly run on BullMQ's job scheduler")
    .option('--data <dir>', 'data folder the scheduled run reads')
    .option('--out <dir>', 'folder for the runs (one subfolder per as-of date)')
    .option('--cron <pattern>', 'when to run', DEFAULT_CRON)
    .option('--tz <zone>', 'time zone of the pattern', DEFAULT_TZ)
    .option('--acute-cron <pattern>', 'when to run the same-day check', DEFAULT_ACUTE_CRON)
    .option('--retrain-cron <pattern>', 'when to train a challenger and report the promotion gate (never promotes)', DEFAULT_RETRAIN_CRON)
    .option('--remove', 'remove the schedules of --data (with --pull-from or --pull-sql: those pulls)')
    .option('--pull-from <path>', 'also pull this folder or workbook into the history (--history) on --pull-cron')
    .option('--pull-sql <config>', "also pull each source of this query config on its own cron (the config's, else --pull-cron)")
    .option('--pull-cron <pattern>', 'when to pull', DEFAULT_PULL_CRON)
    .option('--history <dir>', 'the history pulls add to (default: EWS_HISTORY, else .ews/history); the weekly run reads it when --data is not given')
    .action(async (o) => {
      const pullFrom = o.pullFrom ?? o.pullSql;
      if (pullFrom && o.remove) {
        printJson({ removed: await (await queue()).removePulls(historyDir(o.history), pullFrom) });
        return;
      }
      if (pullFrom) {
        const pulls = await (await queue()).installPulls({ history: historyDir(o.history), data: o.pullFrom, sql: o.pullSql, cron: o.pullCron, tz: o.tz });
        for (const p of pulls) process.stdout.write(`pull ${p.id} installed: "${p.pattern}" (${o.tz})\n`);
        if (!o.data && o.out) o.data = historyDir(o.history);
      }
      if (o.remove) {
        if (!o.data) throw new OptionError('--data', 'is needed to remove a schedule');
        printJson({ removed: await (await queue()).removeSchedule(o.data) });
      } else if (o.data) {
        if (!o.out) throw new OptionError('--out', 'is needed to install a schedule');
        const r = await (await queue()).installSchedule({
          data: o.data,
          out: o.out,
          cron: o.cron,
          tz: o.tz,
          acuteCron: o.acuteCron,
          retrainCron: o.retrainCron,
        });
        process.stdout.write(`weekly run ${r.id} installed: "${o.cron}" (${o.tz}); workers (ews worker) carry it out\n`);
      }
      const all = await (await queue()).listSchedules();
      for (const s of all)
        process.stdout.write(`${s.id}  ${s.pattern}  ${s.tz}  next ${s.next ? new Date(s.next).toISOString() : '-'}  ${s.data?.data ?? ''}\n`);
      printJson(all);
    });

  program
    .command('acute')
    .description('the same-day check: unexcused streaks and new severe family events become alerts and urgent notices')
    .requiredOption('--data <dir>', 'data folder')
    .option('--as-of <date>', 'check as of this day (default today in Asia/Shanghai)')
    .option('--streak-days <n>', 'consecutive unexcused school days that raise an alert', positiveInt('--streak-days'), 3)
    .action(async (o) =>
      printJson(
        await (await followup()).acuteCommand({ data: o.data, asOf: o.asOf ? requireDay('--as-of', o.asOf) : todayInChina(), streakDays: o.streakDays }),
      ),
    );

  program
    .command('effects')
    .description(
      'did the help help: for each kind of follow-up step, dropout, unexcused absence and class standing over the next 8 weeks against matched students who did not get it',
    )
    .requiredOption('--data <dir>', 'data folder')
    .requiredOption('--as-of <date>', 'only steps whose 8-week follow-up closed by this day are judged')
    .option('--steps <file>', 'steps from a CSV (student_id,date,kind) instead of the store’s cases')
    .option('--record', 'keep the estimates for the analyst page')
    .action(async (o) =>
      printJson(await (await followup()).effectsCommand({ data: o.data, asOf: requireDay('--as-of', o.asOf), steps: o.steps, record: o.record })),
    );

  program
    .command('report')
    .description('the monthly 控辍保学 report per school and township: report.xlsx (Chinese headers) and report.csv (UTF-8 with BOM)')
    .requiredOption('--data <dir>', 'data folder or kept history (schools.csv beside it places schools in townships)')
    .requiredOption('--as-of <date>', 'report the month up to this day')
    .requiredOption('--out <dir>', 'folder to write report.xlsx and report.csv')
    .option('--no-record', 'leave out the case figures (no system of record)')
    .action(async (o) => {
      const r = await (await report()).reportCommand({ data: o.data, asOf: requireDay('--as-of', o.asOf), out: o.out, database: o.record ? undefined : null });
      const total = r.rows.at(-1)!;
      process.stdout.write(
        `wrote ${r.files.xlsx} and ${r.files.csv}: ${r.schools} schools, ${r.townships} townships; enrolled ${total.enrolled}, dropped out this month ${total.dropped_month}, suspected ${total.suspected}\n`,
      );
      printJson({ as_of: r.as_of, schools: r.schools, townships: r.townships, cases: r.cases, total, files: r.files });
    });

  program
    .command('deliveries')
    .description('list pushes to staff (pending, delivered, dead); --send tries the undelivered ones now')
    .addOption(new Option('--status <status>', 'only these').choices(['pending', 'delivered', 'dead']))
    .option('--send', 'try every pending and dead delivery now')
    .action(async (o) => {
      const rows = await (await followup()).deliveriesCommand({ status: o.status, send: o.send });
      for (const d of rows)
        process.stdout.write(
          `${d.status.padEnd(9)} ${d.channel.padEnd(7)} ${d.recipient.padEnd(16)} tries ${d.attempts}${d.last_error ? `  ${d.last_error}` : ''}\n`,
        );
      printJson(rows);
    });

  program
    .command('serve')
    .description('web pages for head teachers, psychologists, analysts and admins (DATABASE_URL or the embedded store)')
    .option('--port <n>', 'port', positiveInt('--port'), 8080)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--secure-cookies', 'mark cookies Secure (serve behind HTTPS)')
    .option('--trust-proxy <addresses>', 'behind a reverse proxy: its addresses (e.g. 127.0.0.1), so sign-in limits count each client, not the proxy')
    .option('--public-url <url>', "the address staff open the pages at, for first-sign-in links (default: the request's host)", process.env.EWS_PUBLIC_URL)
    .action(async (o) => {
      const db = await (await store()).openDb();
      const app = await (await web()).buildApp({
        db,
        secureCookies: o.secureCookies,
        cookieSecret: process.env.EWS_COOKIE_SECRET,
        publicUrl: o.publicUrl,
        trustProxy: o.trustProxy,
      });
      await app.listen({ port: o.port, host: o.host });
      process.stdout.write(`ews pages on http://${o.host}:${o.port}/ (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = async () => {
          await app.close();
          await db.close();
          done();
        };
        process.once('SIGTERM', () => void stop());
        process.once('SIGINT', () => void stop());
      });
    });

  const staffCmd = program.command('staff').description('staff accounts for the web pages');
  staffCmd
    .command('import')
    .description('create or update accounts from staff.csv (ids, schools, roles, classes; no passwords)')
    .requiredOption('--data <dir>', 'data folder holding staff.csv')
    .action(async (o) => {
      const { district } = await loadDistrict(o.data, { only: ['staff'] });
      if (!district.staff) throw new OptionError('--data', 'has no staff.csv');
      const t = district.staff;
      const accounts = t.strings('staff_id').map((id, i) => ({
        staff_id: id,
        school_id: t.codes('school_id').data[i] >= 0 ? t.codes('school_id').dict[t.codes('school_id').data[i]] : '',
        role: STAFF_ROLES[t.uint8('role')[i]],
        class_ids: t.lists('class_ids')[i],
        display_name: t.strings('display_name')[i],
        area: t.strings('area')[i] || null,
      }));
      const db = await (await store()).openDb();
      try {
        printJson({ imported: await (await web()).importStaff(db, accounts) });
      } finally {
        await db.close();
      }
    });
  staffCmd
    .command('password')
    .description('set a password (read from standard input, at least 10 characters)')
    .argument('<staff_id>')
    .action(async (id) => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const db = await (await store()).openDb();
      try {
        await (await web()).setPassword(
          db,
          id,
          Buffer.concat(chunks)
            .toString('utf8')
            .replace(/\r?\n$/, ''),
        );
        printJson({ staff_id: id, password: 'set' });
      } finally {
        await db.close();
      }
    });

  program
    .command('train')
    .description('train models from data dated on or before --as-of, keep the best on a temporal hold-out, register it (not in use until promoted)')
    .requiredOption('--data <dir>', 'data folder')
    .requiredOption('--as-of <date>', 'train from data dated on or before this day')
    .requiredOption('--horizon-days <n>', 'label: dropped out within this many days of each as-of date', positiveInt('--horizon-days'))
    .option('--seed <n>', 'random seed: the same seed and data give the same model', positiveInt('--seed'), 1)
    .option('--kinds <list>', 'candidates to compare: logistic,mlp,gbt (default logistic,gbt)', kinds)
    .option('--followup', 'add the outcomes follow-up recorded, and leave out examples of students after they were helped')
    .option(
      '--as-known-then',
      "each example's features from what the history held on its date (no hindsight): the default with a kept history as --data; the model card says which",
    )
    .option('--hindsight', 'with a kept history: every example from all it holds now, late corrections included (the old default)')
    .option(
      '--policy <name>',
      'inputs the model may learn from: behaviour (circumstances such as hukou, left-behind, disability left out) or all',
      featurePolicy,
      'behaviour',
    )
    .option(
      '--mitigation <name>',
      'fairness mitigation: auto (try none, reweigh and group_offsets; keep what validation prefers), or one of them',
      mitigationName,
      'auto',
    )
    .action(async (o) => {
      const r = await (await models()).trainCommand({
        policy: o.policy,
        mitigation: o.mitigation,
        // What was known on each date, wherever the history records it: a late-recorded event is not a feature before it was known.
        asKnownThen: o.hindsight ? false : Boolean(o.asKnownThen) || isHistory(o.data),
        data: o.data,
        asOf: requireDay('--as-of', o.asOf),
        horizonDays: o.horizonDays,
        seed: o.seed,
        kinds: o.kinds,
        followup: o.followup,
      });
      process.stdout.write(`registered ${r.meta.id} in ${r.folder} (promote it with: ews promote ${r.meta.id} --reason "…")\n`);
      printJson(r.line);
    });

  program
    .command('evaluate')
    .description(
      "score as of a date and compare with dropouts within the horizon, beside two baselines; or, with --live, each past week's lists as they went out against what then happened",
    )
    .requiredOption('--data <dir>', 'data folder')
    .option('--model <id>', 'model id, or "current" for the model in use (not with --live)')
    .option('--as-of <date>', 'score as of this day (not with --live)')
    .requiredOption('--horizon-days <n>', 'compare with dropouts in (as-of, as-of + n]', positiveInt('--horizon-days'))
    .option('--live', "the store's weekly runs: precision and recall at the list size used, lead time, calibration, beside simple rules, by school and group")
    .option('--record', 'with --live: keep the result for the analyst page')
    .action(async (o) => {
      const m = await models();
      if (o.live) return printJson(await m.liveEvaluateCommand({ data: o.data, horizonDays: o.horizonDays, record: o.record }));
      if (!o.model || !o.asOf) throw new OptionError('--model', 'ews evaluate needs --model and --as-of, or --live');
      printJson(await m.evaluateCommand({ data: o.data, model: o.model, asOf: requireDay('--as-of', o.asOf), horizonDays: o.horizonDays }));
    });

  program
    .command('models')
    .description('list registered models with their metrics and which one is in use')
    .action(async () => {
      const r = await (await models()).modelsCommand();
      process.stdout.write(r.text + '\n');
      printJson(r.json);
    });

  program
    .command('promote')
    .description('put a registered model in use if it passes the gate (beats the model in use and the baselines, fair, calibrated); recorded with who and why')
    .argument('<id>', 'model id')
    .requiredOption('--reason <text>', 'why this model goes into use')
    .option('--data <dir>', "data folder to run the gate on (the challenger's own hold-out)")
    .option('--override <text>', 'promote despite a failed or skipped gate; the written reason is recorded')
    .option('--by <name>', 'who promotes it', process.env.USER ?? 'unknown')
    .action(async (id, o) => {
      const r = await (await models()).promoteCommand({ id, by: o.by, reason: o.reason, data: o.data, override: o.override });
      for (const c of r.gate?.checks ?? []) process.stdout.write(`${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      printJson(r);
    });

  program
    .command('gate')
    .description('report the promotion gate for a challenger against the model in use, without promoting')
    .argument('<id>', 'challenger model id')
    .requiredOption('--data <dir>', 'data folder')
    .action(async (id, o) => {
      const g = await (await models()).gateCommand({ id, data: o.data });
      for (const c of g.checks) process.stdout.write(`${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      printJson(g);
    });

  program
    .command('rollback')
    .description('go back to the model in use before the current one')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who', process.env.USER ?? 'unknown')
    .action(async (o) => printJson(await (await models()).rollbackCommand({ by: o.by, reason: o.reason })));

  program
    .command('audit')
    .description('fairness audit at the list size in use: recall, precision and false-positive rate by group against the largest group')
    .requiredOption('--data <dir>', 'data folder')
    .requiredOption('--model <id>', 'model id, or "current"')
    .requiredOption('--as-of <date>', 'score as of this day')
    .requiredOption('--horizon-days <n>', 'dropouts in (as-of, as-of + n] are the truth', positiveInt('--horizon-days'))
    .option('--weeks <n>', 'pool the lists of this many weeks ending on --as-of', positiveInt('--weeks'), 1)
    .action(async (o) => {
      const a = await (await models()).auditCommand({
        data: o.data,
        model: o.model,
        asOf: requireDay('--as-of', o.asOf),
        horizonDays: o.horizonDays,
        weeks: o.weeks,
      });
      for (const g of a.groups) {
        process.stdout.write(
          `${g.attribute.padEnd(16)} ${g.value.padEnd(8)} n ${String(g.n).padStart(6)}  dropouts ${String(g.positives).padStart(4)}  flagged ${String(g.flagged).padStart(4)}  recall ${g.recall.toFixed(3)}  ×${g.recall_disparity.toFixed(2)}${g.fails ? '  OUTSIDE 0.8–1.25' : g.outside_band ? '  outside 0.8–1.25 within noise' : ''}${g.recall_disparity_ci ? `  95% ${g.recall_disparity_ci[0].toFixed(2)}–${g.recall_disparity_ci[1].toFixed(2)}` : ''}${g.too_few_positives ? '  (too few dropouts to judge)' : ''}\n`,
        );
      }
      printJson(a);
    });

  return program;
}

/** Runs the command line; returns the exit code. Errors become one line on standard error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof EwsError) {
      process.stderr.write(`ews: ${e.message}\n`);
      log.debug({ code: e.code }, 'command failed');
      return 1;
    }
    process.stderr.write(`ews: unexpected failure: ${(e as Error).message}\n`);
    log.error({ err: e }, 'unexpected failure');
    return 1;
  } finally {
    log.flush?.();
  }
}
