import type { ConsentChangedData } from '../../../platform/authz/access-facts/events.js';

const RESEARCH_PURPOSE = 'HRESCH';

/**
 * Whether a consent, as `consent.changed` states it now, keeps its patient
 * out of research: active, in force at `at`, with a deny provision about
 * research (a research-scope consent's deny, a deny naming the research
 * purpose, or one naming the researcher role). A deny limited to some data
 * classes or labels still removes the whole patient: open data keeps no
 * record of which class a later fact would have been refused for, and the
 * stricter reading is the patient's wish.
 */
export function deniesResearch(c: ConsentChangedData, at: Date): boolean {
  if (c.status !== 'active') return false;
  if (c.periodEnd && Date.parse(c.periodEnd) < at.getTime()) return false;
  if (c.periodStart && Date.parse(c.periodStart) > at.getTime()) return false;
  return c.provisions.some(
    (p) =>
      p.type === 'deny' &&
      (c.scope === 'research' ||
        (p.purposes ?? []).includes(RESEARCH_PURPOSE) ||
        (p.actors ?? []).some((a) => a.kind === 'role' && a.id === 'researcher')),
  );
}
