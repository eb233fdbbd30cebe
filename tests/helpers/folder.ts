import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A minimal valid data folder: two students, one class; tests override single files. */
export const BASE_FILES: Record<string, string> = {
  'students.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\n',
  'attendance.csv': 'student_id,date,status\nA1,2025-09-01,present\nB2,2025-09-01,absent_unexcused\n',
  'grades.csv': 'student_id,date,term,subject,exam,score,full_score\nA1,2025-10-30,2025-2026-1,数学,monthly,88,120\n',
  'family_events.csv': 'student_id,date,event\n',
  'subsidies.csv': 'student_id,program,status,effective_from\n',
};

export async function tempDir(prefix = 'ews-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes BASE_FILES overridden by `files`; a value of null leaves that file out. */
export async function makeFolder(files: Record<string, string | Buffer | null> = {}) {
  const t = await tempDir();
  const all: Record<string, string | Buffer | null> = { ...BASE_FILES, ...files };
  for (const [name, content] of Object.entries(all)) {
    if (content !== null) await writeFile(join(t.dir, name), content);
  }
  return t;
}

/** A day far after any test data, so no test date counts as "in the future". */
export const FAR_TODAY = 30_000;

/** Writes `files` into a new folder `name` under `parent` (a week's export, say), and returns its path. */
export async function writeFolder(parent: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = join(parent, name);
  await mkdir(dir);
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}
