import { segmentsOf, type Segment } from '../../contracts/security-labels.js';
import { RXNORM } from './medication-request.js';

/**
 * The security labels a drug's prescriptions and dispenses carry, from the
 * clinical record's sensitivity table (a product whose only indication is
 * substance use disorder, such as buprenorphine/naloxone, is `ETH`).
 */
export const drugLabels = (rxcui: string): Segment[] =>
  segmentsOf([{ system: RXNORM, code: rxcui }]);
