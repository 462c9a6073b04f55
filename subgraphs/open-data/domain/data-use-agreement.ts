/**
 * The data use agreement every researcher accepts (its current version)
 * before any question, release or forecast. A new version is a new entry
 * here (never an edit of a published one): researchers accept it again.
 */
export const DATA_USE_AGREEMENT = {
  version: 1,
  title: 'Carefed Open Data Hub: data use agreement (version 1)',
  body: [
    'By accepting, you (the researcher signed in) agree that:',
    '1. You use the data only for the research purpose your organisation approved, and only through this service.',
    '2. You will not attempt to identify, contact or learn anything about any individual, nor link the data with other data for that purpose.',
    '3. You will not share record-level releases beyond your approved team, and you will publish only aggregate results.',
    '4. You report any suspected re-identification or disclosure to the Carefed privacy officer within 24 hours and stop using the affected data.',
    '5. Every question you ask is recorded with your identity; answers are differentially private and each spends your privacy budget.',
    '6. Releases follow HIPAA Safe Harbor (45 CFR 164.514(b)(2)); the data holds no direct identifiers, only years as dates, ages over 89 as 90+ and 3-digit ZIPs.',
    '7. Carefed may suspend your access if these terms are broken; this agreement ends when your project ends, and you then delete record-level releases.',
  ].join('\n'),
} as const;
