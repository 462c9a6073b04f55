/** The `prev` of the first batch head (and of the first heads-file line): 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);
