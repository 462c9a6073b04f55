import { describe, expect, it } from 'vitest';
import { APPOINTMENT_EVENT_TYPES } from './contracts/appointment-events.js';
import { CLINICAL_CHANGED } from './contracts/clinical-events.js';
import { SCHEDULE_CHANGED } from './contracts/schedule-events.js';
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
    expect(consumersOfEvent('pharmacy.dispensed', { anything: 1 })).toEqual([
      'billing:dispenses',
      'open-data:dispenses',
    ]);
  });
});

describe('care routing’s availability projection', () => {
  it('follows every appointment event and every schedule change', () => {
    for (const type of APPOINTMENT_EVENT_TYPES)
      expect(consumersOf(type)).toContain('care-routing:appointments');
    expect(consumersOf('appointment.cancelled')).toContain('billing:appointments');
    expect(consumersOf('appointment.booked')).toContain('scheduling:notifications');
    expect(consumersOf(SCHEDULE_CHANGED.type)).toEqual([
      'care-routing:schedules',
      'open-data:schedules',
    ]);
  });
});

describe('open data', () => {
  it('follows every event it de-identifies facts from, and research consents', () => {
    for (const type of APPOINTMENT_EVENT_TYPES)
      expect(consumersOf(type)).toContain('open-data:appointments');
    expect(consumersOf('patient.profile-changed')).toEqual(['open-data:profiles']);
    expect(consumersOf('consent.changed')).toContain('open-data:consents');
    // Every clinical resource type, not only pharmacy's few.
    expect(consumersOfEvent('clinical.changed', { resourceType: 'Observation' })).toEqual([
      'open-data:clinical',
    ]);
    expect(consumersOf('pharmacy.dispensed')).toContain('open-data:dispenses');
  });
});
