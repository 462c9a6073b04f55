/** Weekly forecasts for open-data releases: models, baseline, backtest and the series they run on. */
export type {
  Forecast,
  ForecastMethod,
  ForecastPoint,
  FitSummary,
  Transform,
  WeeklyPoint,
} from './types.js';
export { addWeeks, isoWeek, weekOf, weeksBetween } from './iso-week.js';
export { fillWeeks, futureWeeks } from './series.js';
export { forecastWeekly, MIN_REGRESSION_POINTS, type ForecastOptions } from './forecast.js';
export { seasonalNaive, SEASON_WEEKS } from './seasonal-naive.js';
export { WEEKLY_PERIOD } from './regression.js';
export { backtest, type BacktestOptions, type BacktestResult } from './backtest.js';
export type { Accuracy } from './accuracy.js';
export {
  PopulationSeries,
  SERIES_FAMILIES,
  wholeWeeks,
  type NamedSeries,
  type ResourceLike,
  type SeriesFamily,
} from './population-series.js';
