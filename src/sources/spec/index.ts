import { attendance } from './attendance.js';
import { familyEvents } from './family-events.js';
import { grades } from './grades.js';
import { mealCard } from './meal-card.js';
import { outcomes } from './outcomes.js';
import { staff } from './staff.js';
import { students } from './students.js';
import { subsidies } from './subsidies.js';
import type { FileSpec } from './types.js';
import { wellbeing } from './wellbeing.js';

export * from './types.js';
export { ATTENDANCE_STATUSES } from './attendance.js';
export { EXAM_KINDS } from './grades.js';
export { EVENT_SOURCES, FAMILY_EVENTS } from './family-events.js';
export { SUBSIDY_PROGRAMS, SUBSIDY_STATUSES } from './subsidies.js';
export { STAFF_ROLES } from './staff.js';
export { GENDERS } from './students.js';
export { OUTCOMES } from './outcomes.js';

/** Every input file in reading order: students first, since the others refer to it. */
export const FILE_SPECS: readonly FileSpec[] = [students, staff, attendance, grades, familyEvents, subsidies, wellbeing, mealCard, outcomes];

export { attendance, familyEvents, grades, mealCard, outcomes, staff, students, subsidies, wellbeing };
