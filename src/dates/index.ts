export {
  type Day,
  civilFromDay,
  dayFromCivil,
  daysInMonth,
  formatDay,
  isoWeekday,
  parseDay,
  todayInChina,
} from './day.js';
export { type DayWindow, asOfSeries, horizon, inWindow, lookback, requireDay } from './window.js';
