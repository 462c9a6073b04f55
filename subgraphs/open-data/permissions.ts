import {
  allow,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
  or,
} from '../../platform/authz/rules.js';

// Researchers reach open data (and nothing else of Carefed: platform/authz/rules.ts `anyRole`),
// with the research-data scope their tokens carry; the data use agreement is checked per call.
const researcher = and(hasRole('researcher'), hasScope('ResearchData', 'r'));
const asks = and(hasRole('researcher'), hasScope('ResearchData', 's'));
// Administrators steward it: publish the agreement, releases and forecasts.
const steward = hasRole('admin');

/** Open data's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    // A researcher token without the research-data scope reaches nothing, not even the terms.
    dataUseAgreement: or(researcher, steward),
    privacyBudget: researcher,
    releases: or(researcher, steward),
    release: or(researcher, steward),
    // Forecasts also serve operations (staffing, supplies): administrators read them too.
    forecasts: or(researcher, steward),
  },
  Mutation: {
    acceptDataUseAgreement: researcher,
    publishDataUseAgreement: steward,
    askCount: asks,
    publishRelease: steward,
    refreshForecasts: steward,
  },
  ...allowTypes(
    '_Service',
    'DataUseAgreement',
    'DataUseAgreementAcceptance',
    'PrivacyBudget',
    'PrivacyLedgerEntry',
    'CountAnswer',
    'CountCell',
    'Release',
    'Forecast',
    'ForecastPoint',
    'ForecastBacktest',
    'ForecastError',
    'WeeklyCount',
  ),
});
