/**
 * The usage-limit failure (docs/protocol.md §f.4 "429 usage_limit_reached", f.6 rate-limit headers): the
 * plan, when the limit resets (local time and relative, "resets at 14:32, in 3h 51m") and the
 * `x-codex-*` window figures when the server sent them.
 */
import { KolegaError } from '../errors.js';

/** What the server told us about a reached usage limit. */
export interface UsageLimitFacts {
  /** Unix time (s) of the reset, from the body's `resets_at`. */
  resetsAt?: number;
  /** Seconds until the reset, from the body's `resets_in_seconds` (immune to client clock skew). */
  resetsInSeconds?: number;
  /** `plan_type` of the body, else the `x-codex-plan-type` header. */
  plan?: string;
  requestId?: string;
  /** Lower-cased response headers (for the `x-codex-*` window figures). */
  headers?: Record<string, string>;
}

/** `13872` -> `3h 51m`; `59` -> `59s`; `90061` -> `1d 1h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

/** `HH:MM` in local time, prefixed by the local date `YYYY-MM-DD` when not today. */
export function formatLocalTime(epochMs: number, now: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (new Date(now).toDateString() === d.toDateString()) return hm;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/** `300` -> `5h`, `10080` -> `7d`, `15` -> `15m`. */
function windowName(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/**
 * The `x-codex-primary-*` / `x-codex-secondary-*` figures as text, e.g.
 * `5h window 100% used, 7d window 80% used`; empty when absent (docs/protocol.md §f.6).
 */
export function describeWindows(headers: Record<string, string> = {}): string {
  const parts: string[] = [];
  for (const which of ['primary', 'secondary']) {
    const used = Number(headers[`x-codex-${which}-used-percent`]);
    const minutes = Number(headers[`x-codex-${which}-window-minutes`]);
    if (headers[`x-codex-${which}-used-percent`] === undefined || !Number.isFinite(used)) continue;
    const name = Number.isFinite(minutes) && minutes > 0 ? `${windowName(minutes)} window` : `${which} window`;
    parts.push(`${name} ${Math.round(used)}% used`);
  }
  return parts.join(', ');
}

/**
 * Builds the usage-limit error (exit class quota, never retried).
 * The relative time comes from `resetsInSeconds` when given, else from `resetsAt`; `resetsAt` in
 * the error (NDJSON `resets_at`) is the server's value, else derived from `resetsInSeconds`.
 */
export function usageLimitError(facts: UsageLimitFacts, now = Date.now()): KolegaError {
  const { plan, requestId } = facts;
  let resetsAt = facts.resetsAt;
  let inSeconds = facts.resetsInSeconds;
  if (inSeconds === undefined && resetsAt !== undefined) inSeconds = resetsAt - now / 1000;
  if (resetsAt === undefined && inSeconds !== undefined) resetsAt = Math.round(now / 1000 + inSeconds);
  let when = '';
  if (inSeconds !== undefined && inSeconds > 0) {
    when = `; resets at ${formatLocalTime(now + inSeconds * 1000, now)}, in ${formatDuration(inSeconds)}`;
  } else if (resetsAt !== undefined) {
    when = `; it was due to reset at ${formatLocalTime(resetsAt * 1000, now)}`;
  }
  const windows = describeWindows(facts.headers);
  return new KolegaError(
    'quota',
    'usage_limit_reached',
    `usage limit reached${plan ? ` (${plan} plan)` : ''}${when}${windows ? ` (${windows})` : ''}`,
    {
      hint: 'wait for the reset, or use an API key: kolega auth login openai --with-api-key',
      resetsAt,
      retryAfterSeconds: inSeconds !== undefined ? Math.max(0, Math.round(inSeconds)) : undefined,
      requestId,
      httpStatus: 429,
    },
  );
}
