export { reasonsFor, visibleTo, type Reason, type ReasonOptions } from './reasons.js';
