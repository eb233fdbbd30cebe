/**
 * Schema changes, in order, never edited once released: a change is a new entry. Every entry
 * runs on PostgreSQL and PGlite alike (tests apply them to both).
 */
export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'runs, scores, alerts, follow-up, deliveries, audit',
    sql: `
create table runs (
  run_key text primary key,
  as_of date not null,
  model_id text not null,
  created_at timestamptz not null default now(),
  summary jsonb not null
);
create table scores (
  run_key text not null references runs on delete cascade,
  student_id text not null,
  school_id text not null,
  class_id text not null,
  risk double precision not null check (risk >= 0 and risk <= 1),
  rank_in_class int not null,
  rank_in_school int not null,
  tier text not null check (tier in ('high', 'medium', 'low')),
  reasons jsonb not null,
  primary key (run_key, student_id)
);
create table alerts (
  id bigserial primary key,
  student_id text not null,
  school_id text not null,
  class_id text not null,
  cause text not null check (cause in ('weekly_list', 'absence_streak', 'severe_event')),
  status text not null default 'new',
  as_of date not null,
  risk double precision,
  detail jsonb not null default '{}',
  opened_at timestamptz not null default now(),
  touched_at timestamptz not null default now(),
  escalated_at timestamptz,
  closed_at timestamptz
);
-- One open alert per student and cause: a second detection of the same thing is the same case.
create unique index alerts_one_open on alerts (student_id, cause) where closed_at is null;
create index alerts_by_class on alerts (school_id, class_id) where closed_at is null;
create table case_steps (
  id bigserial primary key,
  alert_id bigint not null references alerts on delete cascade,
  step text not null,
  kind text,
  from_status text not null,
  to_status text not null,
  by_staff text not null,
  at timestamptz not null default now(),
  note text
);
create table followup_outcomes (
  student_id text not null,
  date date not null,
  outcome text not null check (outcome in ('dropped_out', 'transferred', 'returned')),
  alert_id bigint references alerts,
  primary key (student_id, date, outcome)
);
create table deliveries (
  id bigserial primary key,
  idempotency_key text not null unique,
  channel text not null check (channel in ('webhook', 'email')),
  recipient text not null,
  target text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts int not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create table audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  role text not null,
  action text not null,
  student_id text,
  detail jsonb not null default '{}'
);
create index audit_by_student on audit (student_id, at);
`,
  },
  {
    id: 2,
    name: 'score details for the pages, staff accounts, sessions',
    sql: `
alter table scores add column details jsonb not null default '{}';
create table staff_accounts (
  staff_id text primary key,
  school_id text not null,
  role text not null check (role in ('head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin')),
  class_ids jsonb not null default '[]',
  password_hash text,
  disabled boolean not null default false,
  created_at timestamptz not null default now()
);
create table sessions (
  token_hash text primary key,
  staff_id text not null references staff_accounts on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
`,
  },
  {
    id: 3,
    name: 'scores keep reason codes as json, not words as jsonb',
    // jsonb parsing a million scores' reasons in both languages was most of the embedded store's COPY
    // (bench/record.ts): a score's reasons are now codes with the values their words are made from, and
    // both columns plain json (checked, not decomposed). Earlier rows keep their words and read as before.
    sql: `
alter table scores alter column reasons type json using reasons::json, alter column details type json using details::json, alter column details set default '{}';
`,
  },
  {
    id: 4,
    name: 'scores partitioned by run',
    // A run's scores are a partition of their own (followup/record-run.ts): COPY into a table with no index,
    // the index built once, a repeated run's scores dropped whole rather than a million rows deleted. The
    // runs foreign key goes: attaching would check it row by row, and a run's scores go with its partition.
    // Each statement ends a line; the DO block is one line, since the migrator splits on ";" at a line's end.
    sql: `
alter table scores rename to scores_unpartitioned;
alter index scores_pkey rename to scores_unpartitioned_pkey;
create table scores (
  run_key text not null,
  student_id text not null,
  school_id text not null,
  class_id text not null,
  risk double precision not null constraint scores_risk_range check (risk >= 0 and risk <= 1),
  rank_in_class int not null,
  rank_in_school int not null,
  tier text not null constraint scores_tier_known check (tier in ('high', 'medium', 'low')),
  reasons json not null,
  details json not null default '{}',
  primary key (run_key, student_id)
) partition by list (run_key);
do $$ declare k text; begin for k in select distinct run_key from scores_unpartitioned loop execute format('create table %I partition of scores for values in (%L)', 'scores_' || left(md5(k), 16), k); end loop; end $$;
insert into scores select * from scores_unpartitioned;
drop table scores_unpartitioned;
`,
  },
  {
    id: 5,
    name: 'cases opened by hand',
    // A teacher or psychologist may open a case for any student they may see, not only those a list or an
    // alert put forward (a 留意 student, a worry the data does not show).
    sql: `
alter table alerts drop constraint alerts_cause_check;
alter table alerts add constraint alerts_cause_check check (cause in ('weekly_list', 'absence_streak', 'severe_event', 'by_hand'));
`,
  },
  {
    id: 6,
    name: "students' contacts, a kept cookie secret, first-sign-in links, cases handed to a colleague, saved list views",
    // Names and guardians' phones, for the staff who may see a student and nobody else: apart from scores
    // (which analysts read) and read only by the pages' role checks. The cookie secret is kept so a form
    // open across a restart still posts; an account's first password is set through a link, not by an admin.
    sql: `
create table student_contacts (
  student_id text primary key,
  name text,
  guardian_name text,
  guardian_phone text,
  updated_at timestamptz not null default now()
);
create table app_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
alter table staff_accounts add column display_name text, add column invite_hash text, add column invite_expires timestamptz;
alter table alerts add column assigned_to text;
create index audit_by_time on audit (at);
create table saved_views (
  id bigserial primary key,
  staff_id text not null references staff_accounts on delete cascade,
  page text not null check (page in ('/classes', '/triage')),
  name text not null,
  query text not null,
  created_at timestamptz not null default now(),
  unique (staff_id, page, name)
);
`,
  },
  {
    id: 7,
    name: 'roles up the line, reports kept for their pages, aid checks, escalation rules and the 劝返 procedure as data',
    // Principals, aid offices, townships and county bureaus (staff.csv's roles; `area` names a township or
    // county); the monthly report's figures kept as `ews report` made them, so the pages show the same; what
    // the aid office found when it checked a student in suspected hidden hardship.
    sql: `
alter table staff_accounts drop constraint staff_accounts_role_check;
alter table staff_accounts add constraint staff_accounts_role_check check (role in ('head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin', 'principal', 'aid_office', 'township', 'bureau'));
alter table staff_accounts add column area text;
create table monthly_reports (
  as_of date not null,
  position int not null,
  level text not null check (level in ('school', 'township', 'total')),
  school_id text not null,
  township text not null,
  figures jsonb not null,
  created_at timestamptz not null default now(),
  primary key (as_of, position)
);
create table aid_checks (
  id bigserial primary key,
  student_id text not null,
  school_id text not null,
  outcome text not null check (outcome in ('confirmed', 'not_confirmed')),
  reason text,
  by_staff text not null,
  at timestamptz not null default now()
);
create index aid_checks_by_student on aid_checks (student_id, at);
create table escalation_rules (
  status text primary key,
  deadline_days int not null check (deadline_days > 0),
  to_level text not null check (to_level in ('school', 'township', 'county')),
  note text not null
);
insert into escalation_rules (status, deadline_days, to_level, note) values
  ('new', 2, 'school', '新个案 2 天内应确认收到'),
  ('acknowledged', 7, 'school', '确认后 7 天内应联系学生或家长'),
  ('contacted', 14, 'school', '联系后 14 天内应有帮扶措施或结案'),
  ('intervention', 14, 'school', '帮扶中每 14 天应有跟进记录'),
  ('home_visit', 7, 'school', '入户劝返后 7 天内应返校或发限期复学通知'),
  ('return_notice', 7, 'township', '限期复学通知期限一周：逾期未返校，报乡镇'),
  ('escalated', 14, 'county', '报乡镇后 14 天仍未返校，报县教育局'),
  ('escalated_county', 14, 'county', '报县后每 14 天应有进展'),
  ('whereabouts_unknown', 30, 'county', '下落不明 30 天仍无进展，县教育局督办'),
  ('penalty', 30, 'county', '行政处罚后 30 天应有进展'),
  ('judicial', 60, 'county', '司法程序中每 60 天应有进展');
alter table alerts add column escalated_to text;
alter table alerts add column escalation_told_at timestamptz;
alter table case_steps add column recorded_at timestamptz not null default now();
alter table alerts drop constraint alerts_cause_check;
alter table alerts add constraint alerts_cause_check check (cause in ('weekly_list', 'absence_streak', 'severe_event', 'by_hand', 'transfer_unconfirmed'));
create table case_procedure (
  status text not null,
  step text not null,
  to_status text not null,
  absent_only boolean not null default false,
  note_required boolean not null default false,
  kinds text[] not null default '{}',
  step_zh text not null,
  -- The step ends the case (结案, 已返校, 已离校): a county may add its own (送教上门, 缓学).
  closes boolean not null default false,
  primary key (status, step)
);
insert into case_procedure (status, step, to_status, absent_only, note_required, kinds, step_zh) values
  ('new', 'acknowledge', 'acknowledged', false, false, '{}', '确认收到'),
  ('acknowledged', 'contact', 'contacted', false, false, '{talk,home_visit,parents_called}', '联系'),
  ('acknowledged', 'intervene', 'intervention', false, false, '{tutoring,subsidy_applied,psychologist_referral,counselling,other}', '帮扶措施'),
  ('acknowledged', 'persuade_visit', 'home_visit', true, false, '{}', '入户劝返'),
  ('acknowledged', 'resolve', 'resolved', false, false, '{}', '结案'),
  ('contacted', 'contact', 'contacted', false, false, '{talk,home_visit,parents_called}', '联系'),
  ('contacted', 'intervene', 'intervention', false, false, '{tutoring,subsidy_applied,psychologist_referral,counselling,other}', '帮扶措施'),
  ('contacted', 'persuade_visit', 'home_visit', true, false, '{}', '入户劝返'),
  ('contacted', 'resolve', 'resolved', false, false, '{}', '结案'),
  ('contacted', 'returned', 'returned', true, false, '{}', '已返校'),
  ('contacted', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('intervention', 'contact', 'contacted', false, false, '{talk,home_visit,parents_called}', '联系'),
  ('intervention', 'intervene', 'intervention', false, false, '{tutoring,subsidy_applied,psychologist_referral,counselling,other}', '帮扶措施'),
  ('intervention', 'resolve', 'resolved', false, false, '{}', '结案'),
  ('intervention', 'returned', 'returned', true, false, '{}', '已返校'),
  ('intervention', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('home_visit', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('home_visit', 'return_notice', 'return_notice', false, false, '{}', '发限期复学通知'),
  ('home_visit', 'returned', 'returned', false, false, '{}', '已返校'),
  ('home_visit', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('home_visit', 'whereabouts_unknown', 'whereabouts_unknown', false, true, '{}', '下落不明（附调查记录）'),
  ('return_notice', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('return_notice', 'escalate_township', 'escalated', false, false, '{}', '报乡镇'),
  ('return_notice', 'returned', 'returned', false, false, '{}', '已返校'),
  ('return_notice', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('return_notice', 'whereabouts_unknown', 'whereabouts_unknown', false, true, '{}', '下落不明（附调查记录）'),
  ('escalated', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('escalated', 'escalate_county', 'escalated_county', false, false, '{}', '报县教育局'),
  ('escalated', 'admin_penalty', 'penalty', false, true, '{}', '行政处罚'),
  ('escalated', 'returned', 'returned', false, false, '{}', '已返校'),
  ('escalated', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('escalated', 'whereabouts_unknown', 'whereabouts_unknown', false, true, '{}', '下落不明（附调查记录）'),
  ('escalated_county', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('escalated_county', 'admin_penalty', 'penalty', false, true, '{}', '行政处罚'),
  ('escalated_county', 'returned', 'returned', false, false, '{}', '已返校'),
  ('escalated_county', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('escalated_county', 'whereabouts_unknown', 'whereabouts_unknown', false, true, '{}', '下落不明（附调查记录）'),
  ('penalty', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('penalty', 'judicial', 'judicial', false, true, '{}', '司法程序'),
  ('penalty', 'returned', 'returned', false, false, '{}', '已返校'),
  ('penalty', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('judicial', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('judicial', 'returned', 'returned', false, false, '{}', '已返校'),
  ('judicial', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('whereabouts_unknown', 'persuade_visit', 'home_visit', false, false, '{}', '入户劝返'),
  ('whereabouts_unknown', 'returned', 'returned', false, false, '{}', '已返校'),
  ('whereabouts_unknown', 'left', 'left', false, false, '{dropped_out,transferred}', '已离校'),
  ('whereabouts_unknown', 'escalate_county', 'escalated_county', false, false, '{}', '报县教育局'),
  ('resolved', 'reopen', 'acknowledged', false, false, '{}', '重新打开');
update case_procedure set closes = true where to_status in ('resolved', 'returned', 'left');
`,
  },
  {
    id: 8,
    name: 'live evaluations of the lists as they went out',
    // What `ews evaluate --live --record` found: the analyst page shows the latest without the data folder.
    sql: `
create table live_evaluations (
  id bigserial primary key,
  created_at timestamptz not null default now(),
  horizon_days int not null,
  known_through date not null,
  result json not null
);
`,
  },
  {
    id: 9,
    name: 'effect estimates of the follow-up steps',
    // What `ews effects --record` found: the analyst page charts the latest.
    sql: `
create table effect_estimates (
  id bigserial primary key,
  created_at timestamptz not null default now(),
  as_of date not null,
  result json not null
);
`,
  },
];
