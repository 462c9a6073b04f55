import { ConsentProjection } from '../../../platform/authz/consent-projection/index.js';
import { ChargeRecord } from './charge.js';
import { LedgerEntryRecord } from './ledger-entry.js';
import { PaymentRecord } from './payment.js';

export { ChargeRecord, ConsentProjection, LedgerEntryRecord, PaymentRecord };

export const entities = [ChargeRecord, ConsentProjection, LedgerEntryRecord, PaymentRecord];
