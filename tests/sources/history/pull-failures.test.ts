import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDistrict, pullFolder, readManifest } from '../../../src/sources/index.js';
import { BASE_FILES, FAR_TODAY, tempDir, writeFolder } from '../../helpers/folder.js';

/** What a pull refuses, and how it fails: never half a pull, never two at once. */
describe('when a pull meets bad rows or fails', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let history: string;
  const folder = (name: string, files: Record<string, string>) => writeFolder(t.dir, name, files);
  const pull = (dir: string) => pullFolder(dir, { history, today: FAR_TODAY });

  beforeEach(async () => {
    t = await tempDir();
    history = join(t.dir, 'h');
  });
  afterEach(() => t.cleanup());

  it('should refuse a first pull without the roll, and a folder with no source at all', async () => {
    await expect(pull(await folder('a', { 'attendance.csv': BASE_FILES['attendance.csv'] }))).rejects.toMatchObject({ code: 'EWS_NOTHING_TO_PULL' });
    await expect(pull(await folder('b', { 'readme.txt': 'nothing' }))).rejects.toMatchObject({ code: 'EWS_NOTHING_TO_PULL' });
    expect(existsSync(join(history, 'history.json'))).toBe(false);
  });

  it("should keep the good rows, and put each refused one in the pull's rejects with file, line, column and reason", async () => {
    await pull(await folder('w1', BASE_FILES));
    const r = await pull(
      await folder('w2', {
        'attendance.csv': 'student_id,date,status\nA1,2025-09-02,present\nZZ9,2025-09-02,present\nB2,2025-09-02,sleeping\n',
      }),
    );
    expect(r.sources.attendance).toEqual({ read: 1, new: 1, changed: 0, unchanged: 0, refused: 2 });
    expect(Object.keys(r.sources)).toEqual(['attendance']);
    const rejects = (await readFile(r.rejects!, 'utf8')).trim().split('\n');
    expect(rejects[0]).toBe('file,line,column,value,reason');
    expect(rejects.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['attendance.csv,3,student_id', 'attendance.csv,4,status']);
    const { district } = await loadDistrict(history);
    expect(district.attendance.length).toBe(3);
  });

  it('should leave the history as it was when a pull fails part-way, and the next pull should clear what it left', async () => {
    await pull(await folder('w1', BASE_FILES));
    const before = await readFile(join(history, 'history.json'), 'utf8');
    const week2 = await folder('w2', {
      'attendance.csv': 'student_id,date,status\nA1,2025-09-02,present\n',
      'meal_card.csv': 'student_id,date,amount,meals\nB2,2025-09-02,12.5,2\n',
    });
    // A file where the pull's folder for the canteen would go: attendance is written, then the canteen fails.
    await writeFile(join(history, 'meal_card'), 'in the way');
    await expect(pull(week2)).rejects.toThrow('EEXIST');
    expect(await readFile(join(history, 'history.json'), 'utf8')).toBe(before);
    expect(existsSync(join(history, 'attendance', '000002.tbl'))).toBe(true); // written, never committed
    expect((await loadDistrict(history, { partial: true })).district.attendance.length).toBe(2);
    expect(existsSync(join(history, '.lock'))).toBe(false);

    await rm(join(history, 'meal_card'));
    const again = await pull(week2);
    expect(again.pull).toBe(2);
    expect(again.totals).toMatchObject({ new: 2, refused: 0 });
    expect((await loadDistrict(history)).district.attendance.length).toBe(3);
  });

  it('should refuse a second pull while one holds the history, and take over the lock of a process that is gone', async () => {
    await pull(await folder('w1', BASE_FILES));
    const lock = (host: string, pid: number) => writeFile(join(history, '.lock'), JSON.stringify({ host, pid, at: '2026-12-03T05:00:00Z' }));
    await lock(hostname(), process.pid);
    const week2 = await folder('w2', { 'attendance.csv': 'student_id,date,status\nA1,2025-09-02,present\n' });
    await expect(pull(week2)).rejects.toMatchObject({ code: 'EWS_HISTORY_BUSY' });
    // Another machine's pull cannot be checked from here: it is waited for, whatever its pid.
    await lock('another-host', spawnSync(process.execPath, ['-e', '0']).pid!);
    await expect(pull(week2)).rejects.toThrow(/on another-host/);
    await lock(hostname(), spawnSync(process.execPath, ['-e', '0']).pid!);
    expect((await pull(week2)).totals.new).toBe(1);
    expect(existsSync(join(history, '.lock'))).toBe(false);
    expect(readManifest(history).pulls).toHaveLength(2);
  });

  it('should withdraw, from a whole re-export only, the rows the school deleted — never a student', async () => {
    const w1 = await folder('w1', {
      ...BASE_FILES,
      'attendance.csv': 'student_id,date,status\nA1,2025-09-01,present\nA1,2025-09-02,absent_unexcused\nB2,2025-09-01,present\n',
    });
    await pullFolder(w1, { history, seenOn: 20_330, today: FAR_TODAY });
    // The school deleted A1's absence (entered by mistake) and B2 left the roll's export.
    const again = await folder('w2', {
      'students.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\n',
      'attendance.csv': 'student_id,date,status\nA1,2025-09-01,present\nB2,2025-09-01,late\n',
    });
    const delta = await pullFolder(again, { history, seenOn: 20_337, today: FAR_TODAY });
    expect(delta.sources.attendance).toEqual({ read: 2, new: 0, changed: 1, unchanged: 1, refused: 0 });
    const whole = await pullFolder(again, { history, seenOn: 20_344, today: FAR_TODAY, full: true });
    expect(whole.sources.attendance).toEqual({ read: 2, new: 0, changed: 0, unchanged: 2, refused: 0, withdrawn: 1 });
    expect(whole.sources.students).toEqual({ read: 1, new: 0, changed: 0, unchanged: 1, refused: 0 });
    const now = (await loadDistrict(history)).district;
    expect(now.attendance.length).toBe(2);
    expect(now.roster.ids).toEqual(['A1', 'B2']);
    expect((await loadDistrict(history, { knownOn: 20_340 })).district.attendance.length).toBe(3);
    // A typo in a whole re-export is not a deletion: nothing is withdrawn, and the pull says so.
    const typo = await folder('w3', { 'attendance.csv': 'student_id,date,status\nA1,2025-09-01,presnt\n' });
    const careful = await pullFolder(typo, { history, seenOn: 20_351, today: FAR_TODAY, full: true });
    expect(careful.sources.attendance).toEqual({ read: 0, new: 0, changed: 0, unchanged: 0, refused: 1 });
    expect(careful.warnings).toEqual(['attendance: nothing withdrawn, as the export has 1 refused row; read as a delta']);
    expect((await loadDistrict(history)).district.attendance.length).toBe(2);
    // Pulls are taken in order: an export seen before the last pull's day is refused.
    await expect(pullFolder(typo, { history, seenOn: 20_340, today: FAR_TODAY })).rejects.toThrow(/is before the last pull's day/);
  });

  it('should keep two identical family events of one pull apart, and find both unchanged when re-exported', async () => {
    const events = 'student_id,date,event,severity\nA1,2025-09-03,parent_job_loss,2\nA1,2025-09-03,parent_job_loss,2\n';
    const first = await pull(await folder('w1', { ...BASE_FILES, 'family_events.csv': events }));
    expect(first.sources.family_events).toMatchObject({ read: 2, new: 2 });
    const again = await pull(await folder('w2', { 'family_events.csv': events.replace(/,2\n$/, ',3\n') }));
    expect(again.sources.family_events).toEqual({ read: 2, new: 0, changed: 1, unchanged: 1, refused: 0 });
    const { district } = await loadDistrict(history);
    expect(Array.from(district.familyEvents.float64('severity')).sort()).toEqual([2, 3]);
  });
});
