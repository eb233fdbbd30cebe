import type { Day } from '../dates/index.js';
import { FEATURE_NAMES, featureIndex } from './registry.js';

/** A reason's detail in both languages (a subject, an event and when, a programme). */
export interface Detail {
  readonly zh: string;
  readonly en: string;
}

/**
 * Features of every student on the roll as of one date: row r is roster student `students[r]`,
 * its values at `values[r * width …]`, in registry order.
 */
export class FeatureMatrix {
  readonly width = FEATURE_NAMES.length;
  readonly values: Float32Array;
  /** Per feature name: row → detail, for the reasons that need one. */
  readonly details = new Map<string, Map<number, Detail>>();

  constructor(
    readonly asOf: Day,
    readonly students: Int32Array,
  ) {
    this.values = new Float32Array(students.length * this.width);
  }

  get rows(): number {
    return this.students.length;
  }

  /** A setter for one feature's column: `col(row, value)`. */
  column(name: string): (row: number, value: number) => void {
    const c = featureIndex(name);
    const w = this.width;
    const v = this.values;
    return (row, value) => void (v[row * w + c] = value);
  }

  get(row: number, name: string): number {
    return this.values[row * this.width + featureIndex(name)];
  }

  setDetail(name: string, row: number, detail: Detail): void {
    let m = this.details.get(name);
    if (!m) this.details.set(name, (m = new Map()));
    m.set(row, detail);
  }

  detail(name: string, row: number): Detail | undefined {
    return this.details.get(name)?.get(row);
  }
}
