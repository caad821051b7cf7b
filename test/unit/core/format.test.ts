/**
 * One form for sizes and times in messages: binary units rounded to one decimal
 * (2078 bytes is 2 KiB), local time plus a relative part.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatWhen } from '../../../src/core/format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [2078, '2 KiB'],
    [1048575, '1 MiB'],
    [20 * 1024 * 1024, '20 MiB'],
    [4 * 1024 * 1024 + 1, '4 MiB'],
    [3 * 1024 ** 3, '3 GiB'],
  ])('%d -> %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('formatWhen', () => {
  const now = new Date(2026, 11, 3, 10, 0, 0).getTime(); // local 10:00
  it('today: HH:MM and how far', () => {
    expect(formatWhen(now + (3 * 3600 + 51 * 60) * 1000, now)).toBe('13:51, in 3h 51m');
    expect(formatWhen(now - 5 * 60 * 1000, now)).toBe('09:55, 5m ago');
  });
  it('a few seconds either way (clock skew of a just-written session) is just now, never "in 0s"', () => {
    expect(formatWhen(now + 4, now)).toBe('10:00, just now');
    expect(formatWhen(now + 3000, now)).toBe('10:00, just now');
    expect(formatWhen(now - 2000, now)).toBe('09:59, just now');
    expect(formatWhen(now + 60_000, now)).toBe('10:01, in 1m');
  });
  it('another day: the local date too', () => {
    expect(formatWhen(now - 2 * 86400_000, now)).toBe('2026-12-01 10:00, 2d 0h ago');
  });
});
