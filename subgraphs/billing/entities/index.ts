import { accessFactEntities } from '../../../platform/authz/access-facts/entities.js';
import { ChargeRecord } from './charge.js';
import { LedgerEntryRecord } from './ledger-entry.js';
import { PaymentRecord } from './payment.js';

export { ChargeRecord, LedgerEntryRecord, PaymentRecord };

export const entities = [ChargeRecord, LedgerEntryRecord, PaymentRecord, ...accessFactEntities];
