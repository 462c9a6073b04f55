import { z } from 'zod';
import { defineEvent } from '../../platform/events/contract.js';

const facilityId = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/);
const drugRxcui = z.string().regex(/^[0-9]{1,12}$/);
const instant = z.iso.datetime({ offset: true });
const units = z.number().int().min(0).max(10_000_000);

/**
 * `pharmacy.dispensed`: a pharmacist dispensed a fill of a prescription.
 * What was dispensed, to whom and at what price; never why (no indication,
 * dose, notes or prescriber's text). Billing charges quantity × unit price to
 * the patient's account once per `dispenseId`.
 */
export const PHARMACY_DISPENSED = defineEvent(
  'pharmacy.dispensed',
  z.object({
    dispenseId: z.guid(),
    prescriptionId: z.guid(),
    patientId: z.guid(),
    facilityId,
    drugRxcui,
    quantity: z.number().int().min(1).max(100_000),
    /** Minor units as a decimal string (bigint-safe). */
    unitPriceMinor: z.string().regex(/^(0|[1-9][0-9]{0,17})$/),
    currency: z.string().regex(/^[A-Z]{3}$/),
    dispensedAt: instant,
  }),
  (d) => d.dispenseId,
);
export type PharmacyDispensedData = z.infer<typeof PHARMACY_DISPENSED.data>;

/** `pharmacy.stock-low`: a drug's usable stock at a facility fell below its reorder level. */
export const PHARMACY_STOCK_LOW = defineEvent(
  'pharmacy.stock-low',
  z.object({
    alertId: z.guid(),
    facilityId,
    drugRxcui,
    /** Usable (unexpired) units on hand. */
    quantity: units,
    reorderLevel: units,
    raisedAt: instant,
  }),
  (d) => d.alertId,
);
export type PharmacyStockLowData = z.infer<typeof PHARMACY_STOCK_LOW.data>;

const lotAlert = z.object({
  alertId: z.guid(),
  facilityId,
  drugRxcui,
  lotId: z.guid(),
  lotNumber: z.string().regex(/^[A-Za-z0-9./-]{1,40}$/),
  expiresOn: z.iso.date(),
  /** Units of the lot on hand (`lot-expiring`) or written off (`lot-expired`). */
  quantity: units,
  raisedAt: instant,
});
export type PharmacyLotAlertData = z.infer<typeof lotAlert>;

/** `pharmacy.lot-expiring`: a lot with stock expires within the facility's warning window. */
export const PHARMACY_LOT_EXPIRING = defineEvent(
  'pharmacy.lot-expiring',
  lotAlert,
  (d) => d.alertId,
);

/** `pharmacy.lot-expired`: an expired lot's remaining stock was written off. */
export const PHARMACY_LOT_EXPIRED = defineEvent('pharmacy.lot-expired', lotAlert, (d) => d.alertId);
