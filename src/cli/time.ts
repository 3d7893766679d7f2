import { AgoraError, ErrorCode } from '../core/index.js';

/** Latest accepted time: 9999-12-31T23:59:59Z. A larger number is almost always milliseconds typed as seconds. */
export const MAX_UNIX_SECONDS = 253_402_300_799;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** An ISO 8601 date (`2026-12-01`) or date-time in UTC or with an offset (`2026-12-01T12:00:00Z`). */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A moment from the command line, in unix seconds: unix seconds (`1790000000`), an ISO 8601 date or date-time
 * (`2026-12-01`, `2026-12-01T12:00Z`; UTC unless it names an offset) or a duration from `now` (`+3d`, `1h`, `90m`,
 * `-2h` for the past). `USAGE` naming the flag for anything else, and for times past year 9999 (milliseconds).
 */
export function parseTime(text: string, flag: string, now: number): number {
  const value = text.trim();
  const duration = /^([+-]?)(\d{1,9})([smhdw])$/.exec(value);
  if (duration !== null) {
    const [, sign, amount, unit] = duration;
    const seconds = Number(amount) * (UNIT_SECONDS[unit as string] as number);
    return checked(sign === '-' ? now - seconds : now + seconds, flag, text);
  }
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    if (!Number.isSafeInteger(seconds) || seconds > MAX_UNIX_SECONDS)
      throw new AgoraError(
        ErrorCode.Usage,
        `${flag} ${text} is out of range: unix seconds up to ${MAX_UNIX_SECONDS} (milliseconds are not accepted)`,
      );
    return seconds;
  }
  const iso = ISO_DATE.exec(value);
  if (iso !== null) {
    const zone = iso[7];
    const normalized =
      iso[4] === undefined
        ? `${value}T00:00:00Z`
        : zone === undefined
          ? `${value.replace(' ', 'T')}Z`
          : value;
    const ms = Date.parse(normalized.replace(' ', 'T'));
    // Date.parse rolls 2026-02-31 into March: a date whose fields do not survive the round trip is refused.
    if (Number.isFinite(ms)) {
      const back = new Date(ms + (zone === undefined ? 0 : offsetMs(zone))).toISOString();
      if (back.slice(0, 10) === `${iso[1]}-${iso[2]}-${iso[3]}`)
        return checked(Math.floor(ms / 1000), flag, text);
    }
  }
  throw new AgoraError(
    ErrorCode.Usage,
    `${flag} takes unix seconds, an ISO 8601 date (2026-12-01, 2026-12-01T12:00Z) or a duration (+3d, 1h, -30m), not ${JSON.stringify(text)}`,
  );
}

function offsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return (digits[0] === '-' ? -1 : 1) * minutes * 60_000;
}

function checked(seconds: number, flag: string, text: string): number {
  if (seconds < 0 || seconds > MAX_UNIX_SECONDS)
    throw new AgoraError(ErrorCode.Usage, `${flag} ${text} is out of range (1970 to 9999)`);
  return seconds;
}

/** An optional time option, or `fallback` when it is absent. */
export function timeOption(value: unknown, flag: string, now: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new AgoraError(ErrorCode.Usage, `${flag} takes a time`);
  return parseTime(value, flag, now);
}

/** A moment for people: ISO 8601 in UTC, to the second (`2026-12-01T12:00:00Z`). */
export function isoTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}
