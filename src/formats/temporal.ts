/**
 * ISO 8601 / RFC 3339 strings → the numbers Avro's logical types hold: a `date` as days since
 * 1970-01-01, a `time` as microseconds after midnight, a `date-time` as microseconds since
 * 1970-01-01T00:00:00Z. Accepted: `YYYY-MM-DD` (more year digits with a sign, or Airbyte's ` BC`
 * suffix), times `HH:MM[:SS[.fraction]]`, a `T`, `t` or space between date and time, an offset
 * `Z`, `±HH`, `±HH:MM` or `±HHMM`. A date-time without an offset is read as UTC, a date alone as
 * its midnight; a time with an offset is moved to UTC. Digits beyond microseconds are dropped.
 * Anything else (or out of Avro's range) gives undefined: the caller says why the record does not
 * fit. Pure integer arithmetic, no `Date`: years 0–99 and far dates are not special.
 */

/** Days since 1970-01-01 (an Avro `int`), or undefined. */
export function epochDays(text: string): number | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const days = civilDays(match[1], match[2], match[3], match[4]);
  return days !== undefined && days >= INT_MIN && days <= INT_MAX ? days : undefined;
}

/** Microseconds after midnight, UTC when an offset is given (an Avro `time-micros` long), or undefined. */
export function timeMicros(text: string): number | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const seconds = clockSeconds(match[1], match[2], match[3]);
  const offset = offsetSeconds(match[5]);
  if (seconds === undefined || offset === undefined) return undefined;
  const utc = (((seconds - offset) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  return utc * 1_000_000 + fractionMicros(match[4]);
}

/**
 * Microseconds since the epoch (an Avro `timestamp-micros` long): a number while it is a safe
 * integer (until the year 2255), a bigint beyond; undefined when invalid or outside ±2^63.
 */
export function epochMicros(text: string): number | bigint | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const days = civilDays(match[1], match[2], match[3], match[9]);
  const clock = match[4] === undefined ? 0 : clockSeconds(match[4], match[5], match[6]);
  const offset = offsetSeconds(match[8]);
  if (days === undefined || clock === undefined || offset === undefined) return undefined;
  const micros = fractionMicros(match[7]);
  if (Math.abs(days) < 100_000_000) {
    const seconds = days * DAY_SECONDS + clock - offset;
    if (Math.abs(seconds) < 9_000_000_000) return seconds * 1_000_000 + micros;
  }
  const big = (BigInt(days) * BigInt(DAY_SECONDS) + BigInt(clock - offset)) * 1_000_000n + BigInt(micros);
  if (big < LONG_MIN || big > LONG_MAX) return undefined;
  const small = Number(big);
  return Number.isSafeInteger(small) ? small : big;
}

// --- internal ---

const DAY_SECONDS = 86_400;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const DATE_PART = "([+-]?\\d{4,9})-(\\d{2})-(\\d{2})";
const CLOCK_PART = "(\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?";
const OFFSET_PART = "(Z|z|[+-]\\d{1,2}(?::?\\d{2})?)?";
const DATE = new RegExp(`^${DATE_PART}( BC)?$`);
const TIME = new RegExp(`^${CLOCK_PART}${OFFSET_PART}$`);
const TIMESTAMP = new RegExp(`^${DATE_PART}(?:[Tt ]${CLOCK_PART}${OFFSET_PART})?( BC)?$`);

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function civilDays(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
  bc: string | undefined,
): number | undefined {
  if (yearText === undefined || monthText === undefined || dayText === undefined) return undefined;
  let year = Number(yearText);
  if (bc !== undefined) {
    if (/^[+-]/.test(yearText) || year < 1) return undefined;
    year = 1 - year; // 1 BC is year 0
  }
  const month = Number(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function clockSeconds(
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
): number | undefined {
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return hour * 3600 + minute * 60 + second;
}

/** Seconds east of UTC: 0 for none or `Z`; undefined when out of range. */
function offsetSeconds(text: string | undefined): number | undefined {
  if (text === undefined || text === "Z" || text === "z") return 0;
  const sign = text.startsWith("-") ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  const hours = Number(digits.length <= 2 ? digits : digits.slice(0, -2));
  const minutes = digits.length <= 2 ? 0 : Number(digits.slice(-2));
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 3600 + minutes * 60);
}

/** The first six fraction digits as microseconds (the rest dropped). */
function fractionMicros(text: string | undefined): number {
  if (text === undefined) return 0;
  return Number(text.length >= 6 ? text.slice(0, 6) : text.padEnd(6, "0"));
}
