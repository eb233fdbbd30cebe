#!/usr/bin/env node
// Reads the log of a whole test run and fails if anything personal reached it: family-event
// and case notes, staff names and addresses, passwords and their hashes, screening details.
// The tests feed ews these very strings, so their absence here means the code kept them out.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const minIndex = process.argv.indexOf('--min-lines');
const minLines = minIndex > 0 ? Number(process.argv[minIndex + 1]) : 50;
const text = (() => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
})();
const lines = text.split('\n').filter(Boolean);
if (lines.length < minLines) {
  console.error(`scan-logs: ${file} holds ${lines.length} log lines, fewer than ${minLines} — were logs written?`);
  process.exit(1);
}
const FORBIDDEN = [
  ['a family-event note (sample)', /示例备注/],
  ['a family-event note (tests)', /私密备注|不应出现|秘秘秘/],
  ['a case note', /与奶奶面谈|周三放学后辅导数学|下周一返校/],
  ['a staff name', /老师/],
  ['a staff e-mail address', /@school\.example|@district\.example/],
  ['a password', /correct horse battery|a-long-password/],
  ['a password hash', /\$argon2/],
  ['a guardian (sample, tests)', /[（(](父亲|母亲|祖父|祖母|外祖父|外祖母)[)）]/],
  ["a guardian's phone (sample, tests)", /\b100\d{8}\b/],
  ['a screening score field', /"wellbeing_z"\s*:/],
];
let bad = 0;
for (const [what, re] of FORBIDDEN) {
  const hit = lines.find((l) => re.test(l));
  if (hit) {
    bad++;
    console.error(`scan-logs: ${what} reached the log: ${hit.slice(0, 200)}`);
  }
}
if (bad > 0) process.exit(1);
console.log(`scan-logs: ${lines.length} log lines of the test run hold nothing personal`);
