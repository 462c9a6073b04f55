import {
  allow,
  anyRole,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
} from '../../platform/authz/rules.js';

// Who may reach billing data at all; whose data is decided per record (access.ts).
const staff = hasRole('billing');
const accountHolders = hasRole('billing', 'admin', 'patient', 'partner');
const claimReaders = hasRole('billing', 'admin', 'partner');
// Reference data (payers, plans, CMS fees) is public, not PHI: anyone signed in.
const anyone = anyRole;

/** The billing subgraph's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: anyone,
    coverage: and(accountHolders, hasScope('Coverage', 'r')),
    claim: and(claimReaders, hasScope('Claim', 'r')),
    claims: and(claimReaders, hasScope('Claim', 's')),
    payers: anyone,
    plans: anyone,
    feeSchedule: anyone,
    paymentIntent: and(accountHolders, hasScope('Account', 'r')),
  },
  Mutation: {
    recordCoverage: and(staff, hasScope('Coverage', 'c')),
    cancelCoverage: and(staff, hasScope('Coverage', 'u')),
    createClaim: and(staff, hasScope('Claim', 'c')),
    submitClaim: and(staff, hasScope('Claim', 'u')),
    // Billing staff key in a paper remittance; a payer’s app posts its own decision.
    adjudicateClaim: and(hasRole('billing', 'partner'), hasScope('Claim', 'u')),
    closeClaim: and(staff, hasScope('Claim', 'u')),
    // Money a patient sends comes through the provider (createPaymentIntent), never their word:
    // only billing staff enter payments they received (cash, cheque, card terminal).
    takePayment: and(staff, hasScope('Account', 'c')),
    createPaymentIntent: and(hasRole('patient', 'partner'), hasScope('Account', 'c')),
    refundPayment: and(staff, hasScope('Account', 'u')),
    adjustBalance: and(staff, hasScope('Account', 'u')),
    issueStatement: and(staff, hasScope('Account', 'c')),
  },
  Patient: {
    id: allow,
    coverages: and(accountHolders, hasScope('Coverage', 's')),
    balance: and(accountHolders, hasScope('Account', 'r')),
    payments: and(accountHolders, hasScope('Account', 's')),
    statements: and(accountHolders, hasScope('Account', 's')),
  },
  Appointment: {
    id: allow,
    charges: and(accountHolders, hasScope('ChargeItem', 's')),
  },
  Claim: { '*': allow, coverage: and(claimReaders, hasScope('Coverage', 'r')) },
  Coverage: { '*': allow },
  Statement: { '*': allow, lines: and(accountHolders, hasScope('Account', 'r')) },
  ...allowTypes(
    '_Service',
    'Money',
    'Payer',
    'Plan',
    'FeeScheduleItem',
    'Charge',
    'ClaimEdge',
    'ClaimConnection',
    'Payment',
    'PaymentIntent',
    'PaymentEdge',
    'PaymentConnection',
    'Refund',
    'Adjustment',
    'StatementLine',
    'StatementLineEdge',
    'StatementLineConnection',
    'StatementEdge',
    'StatementConnection',
    'PageInfo',
  ),
});
