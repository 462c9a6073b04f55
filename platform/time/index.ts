export {
  InvalidScheduleError,
  type IsoWeekday,
  type LocalInterval,
  MAX_SLOT_MINUTES,
  MIN_SLOT_MINUTES,
  type ScheduleException,
  type ScheduleRule,
  validateScheduleRule,
  type WeeklyHours,
} from './availability.js';
export {
  isKnownTimeZone,
  type LocalDate,
  localTimeExists,
  localToInstant,
  type LocalTime,
  parseLocalDate,
  parseLocalTime,
  toLocal,
} from './local-time.js';
export { generateSlots, MAX_RANGE_DAYS, type Slot, type SlotRange, slotsInOrder } from './slots.js';
