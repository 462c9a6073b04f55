/**
 * The gateway's limits on one request. Each leaves room above the largest
 * operation under `schema/operations/` (gateway/limits/cost.test.ts runs them
 * at their largest page).
 */
export const LIMITS = {
  /** Nesting of selections (the deepest seeded operation has 7). */
  maxDepth: 12,
  /** Estimated cost (gateway/limits/cost.ts): 100 patients with a dozen fields each cost 1,200. */
  // A page of 100 patients with every demographic field (lists counted at 5 each) is a real screen
  // and must pass; 100 patients each with 100 appointments (~40,000) must not.
  maxCost: 20000,
  /** Page size counted for a paged field asked without `first` (the subgraphs' default). */
  defaultPageSize: 20,
  /** Size counted for a list without a page argument (telecom, consents, care team…); nested ones multiply. */
  unpagedListSize: 5,
  /** Fields whose own default page or cap differs from the above. */
  fieldSizes: {
    'Query.availableSlots': 50,
    'Query.practitioners': 100,
    'Query.webhookSubscriptions': 100,
    'Query.practitionerDay': 40,
  },
  /**
   * Fields whose work grows with a window of days times what their filters match. Free slots:
   * each schedule a filter matches is laid out day by day; the scheduling subgraph serves at
   * most 31 days and 50 schedules per search (subgraphs/scheduling/domain/slot-search.ts, a
   * test checks they agree). One month by specialty costs 5 × 31 × 50 = 7,750: a broad search
   * passes, three of them in one operation (the assessment's probe) do not.
   */
  rangeWork: {
    'Query.availableSlots': {
      from: 'from',
      to: 'to',
      maxDays: 31,
      itemsPerFilter: { practitionerId: 1, specialty: 50, facilityId: 50 },
      perItemDay: 5,
    },
  },
  /** Aliases per operation, `__typename` ones included. */
  maxAliases: 15,
  /** Directives per operation. */
  maxDirectives: 10,
  /** Lexical tokens per document (comments are not tokens: they have their own cap). */
  maxTokens: 2000,
  maxComments: 100,
  /** Times one field may be selected in one selection set. */
  maxFieldRepeats: 3,
  /** Largest request body (JSON) the gateway reads. */
  bodyLimit: '256kb',
  /** Validation errors reported for one request. */
  maxValidationErrors: 1,
} as const;
