/**
 * One form for sizes and times in human messages (JSON documents keep raw numbers and RFC 3339
 * times). Sizes use binary units, rounded to one decimal: 2078 bytes is "2 KiB", 1536 is "1.5 KiB".
 * Times are local, with the date when not today, plus a relative part: "14:32, in 3h 51m",
 * "2026-12-01 09:05, 2d 4h ago" — the form usage-limit messages already use.
 */
import { formatDuration, formatLocalTime } from './responses/usage-limit.js';

/** `2078` -> `2 KiB`; `1536` -> `1.5 KiB`; `512` -> `512 bytes`; `20971520` -> `20 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  // Round first, so 1048575 bytes is "1 MiB", not "1024 KiB".
  while (Math.round(value * 10) / 10 >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${String(Math.round(value * 10) / 10)} ${units[unit]}`;
}

/** How far (in seconds, either way) from `now` a time still reads as "just now". */
const JUST_NOW_SECONDS = 5;

/**
 * `epochMs` as local time plus how far it is from `now`: `14:32, in 3h 51m`, `2026-12-01 09:05, 2d 4h ago`,
 * or `14:32, just now` within 5 s either way.
 */
export function formatWhen(epochMs: number, now = Date.now()): string {
  const seconds = Math.round((epochMs - now) / 1000);
  // Up to a few seconds either way is "now": a time just written can read a few ms in the future
  // (clock granularity, another process's clock), and "in 0s" would be wrong.
  const rel =
    Math.abs(seconds) <= JUST_NOW_SECONDS
      ? 'just now'
      : seconds > 0
        ? `in ${formatDuration(seconds)}`
        : `${formatDuration(-seconds)} ago`;
  return `${formatLocalTime(epochMs, now)}, ${rel}`;
}
