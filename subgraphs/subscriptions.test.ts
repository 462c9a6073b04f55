import { describe, expect, it } from 'vitest';
import { CLINICAL_CHANGED } from './contracts/clinical-events.js';
import { consumersOf, consumersOfEvent } from './subscriptions.js';

describe('consumersOfEvent', () => {
  const changed = (resourceType: string) => ({ resourceType, patientId: 'p', codes: [] });

  it('enqueues clinical.changed for pharmacy only for allergies and medications', () => {
    expect(consumersOf(CLINICAL_CHANGED.type)).toContain('pharmacy:clinical');
    for (const type of ['AllergyIntolerance', 'MedicationRequest', 'MedicationStatement'])
      expect(consumersOfEvent(CLINICAL_CHANGED.type, changed(type))).toContain('pharmacy:clinical');
    for (const type of ['Encounter', 'Observation', 'Condition', 'DocumentReference'])
      expect(consumersOfEvent(CLINICAL_CHANGED.type, changed(type))).not.toContain(
        'pharmacy:clinical',
      );
  });

  it('leaves every other consumer as its type says', () => {
    expect(consumersOfEvent('appointment.completed', {})).toEqual(
      consumersOf('appointment.completed'),
    );
    expect(consumersOfEvent('pharmacy.dispensed', { anything: 1 })).toEqual(['billing:dispenses']);
  });
});
