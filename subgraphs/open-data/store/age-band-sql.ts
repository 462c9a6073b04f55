/**
 * The SQL of a subject's age band in a year (`year`: an SQL expression; `s`:
 * the subject row): `90+` for a patient over 89 now or then, else the
 * five-year band of domain/safe-harbor.ts `ageBand`, and `unknown` (an SQL
 * literal or `NULL`) without a year of birth or before it. One expression for
 * research answers and releases, so both band the same way.
 */
export const ageBandSql = (year: string, unknown: "'unknown'" | 'NULL'): string =>
  `CASE WHEN s.aged_90_plus THEN '90+'
    WHEN s.birth_year IS NULL OR ${year} < s.birth_year THEN ${unknown}
    WHEN ${year} - s.birth_year >= 90 THEN '90+'
    ELSE ((${year} - s.birth_year) / 5 * 5)::text || '-' || ((${year} - s.birth_year) / 5 * 5 + 4)::text
  END`;
