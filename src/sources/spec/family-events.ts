import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const FAMILY_EVENTS = [
  'parent_serious_illness',
  'parent_death',
  'parent_divorce',
  'parent_job_loss',
  'parent_migrated',
  'parent_incarcerated',
  'disaster_damage',
  'relocation',
  'new_guardian',
  'domestic_conflict',
  'other',
] as const;

export const EVENT_SOURCES = ['home_visit', 'civil_affairs', 'self_report', 'teacher', 'other'] as const;

export const familyEvents: FileSpec = {
  name: 'family_events',
  need: 'present',
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('event', { kind: 'enum', values: FAMILY_EVENTS, aliases: VALUE_NAMES.family_events.event }, 'value'),
    col('severity', { kind: 'int', min: 1, max: 3 }),
    col('source', { kind: 'enum', values: EVENT_SOURCES, aliases: VALUE_NAMES.family_events.source }),
    col('note', { kind: 'text' }),
  ],
};
