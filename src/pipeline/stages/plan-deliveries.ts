import { planDelivery, planListDeliveries, type WrittenList } from '../../alerts/index.js';
import type { StaffMember } from '../../sources/index.js';
import type { Db } from '../../store/index.js';
import type { RunSpec } from '../run-spec.js';
import type { DriftSummary } from './drift.js';

/**
 * Plans the run's deliveries in the system of record: each list to its recipient's channels,
 * and, when drift passed its thresholds, a notice to every analyst. Returns how many were planned.
 */
export async function planRunDeliveries(
  db: Db,
  spec: RunSpec,
  asOf: string,
  lists: readonly WrittenList[],
  staff: readonly StaffMember[],
  drift: DriftSummary,
): Promise<number> {
  const { linkBase, email } = spec.delivery;
  const planned = await planListDeliveries(db, [...lists], staff, { asOf, linkBase, email });
  if (drift.alerts.length > 0) {
    // Analysts hear of drift by their own channels: what moved, and where the summary is.
    for (const a of staff.filter((s) => s.role === 'analyst')) {
      const notice = {
        kind: 'drift' as const,
        school_id: '',
        recipient: a.staff_id,
        as_of: asOf,
        high: 0,
        medium: 0,
        drift: drift.alerts,
        link: `${linkBase}/summary.json`,
      };
      if (a.webhook_url) planned.push(await planDelivery(db, 'webhook', a.staff_id, a.webhook_url, notice));
      if (a.email && email) planned.push(await planDelivery(db, 'email', a.staff_id, a.email, notice));
    }
  }
  return planned.length;
}
