/**
 * Units: the critical-work registry (what the exit path waits for) and the JSON error locator
 * (byte offsets, no raw control characters).
 */
import { describe, expect, it } from 'vitest';
import { beginCritical, critical, criticalWork, unlessAborted, whenCriticalDone } from '../../../src/core/critical.js';
import { KolegaError } from '../../../src/core/errors.js';
import { describeJsonError, JsonSyntaxError, parseJsonText } from '../../../src/core/json-syntax.js';
import { printable } from '../../../src/cli/exit.js';

describe('critical work', () => {
  it('is listed while in flight and waited for; nothing in flight resolves at once', async () => {
    expect(criticalWork()).toEqual([]);
    expect(await whenCriticalDone(0)).toBe(true);
    const end = beginCritical('storing A');
    const both = critical('storing B', () => new Promise<number>((r) => setImmediate(() => r(7))));
    expect(criticalWork()).toEqual(['storing A', 'storing B']);
    const waited = whenCriticalDone(60_000);
    expect(await both).toBe(7);
    expect(criticalWork()).toEqual(['storing A']);
    end();
    end(); // harmless twice
    expect(await waited).toBe(true);
    expect(criticalWork()).toEqual([]);
  });

  it('the wait is bounded', async () => {
    const end = beginCritical('never ends');
    expect(await whenCriticalDone(10)).toBe(false);
    end();
  });

  it('unlessAborted rejects with the abort reason at once while the work goes on', async () => {
    const c = new AbortController();
    let finish!: (v: string) => void;
    const work = critical('slow', () => new Promise<string>((r) => (finish = r)));
    const waiting = unlessAborted(work, c.signal);
    c.abort(new KolegaError('network', 'timeout', 'took too long'));
    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
    expect(criticalWork()).toEqual(['slow']);
    finish('stored');
    expect(await work).toBe('stored');
    expect(criticalWork()).toEqual([]);
  });
});

describe('JSON errors', () => {
  it.each([
    ['\u0000\u0000\u0000', 'unexpected character U+0000 at byte 0'],
    ['{"a": 1,}', "property name expected at byte 8 (found '}')"],
    ['{"é": "x\u001b[31m"}', 'control character in a string U+001B at byte 9'],
    ['{"a": 1} x', "unexpected character 'x' at byte 9"],
    ['{"a": ', 'value expected at byte 6 (end of the file)'],
    ['', 'the file is empty'],
  ])('%j -> %s', (text, expected) => {
    expect(describeJsonError(text)).toBe(expected);
    expect(() => parseJsonText(text)).toThrow(JsonSyntaxError);
  });

  it('valid JSON parses as JSON.parse does', () => {
    expect(parseJsonText('{"a":[1,"\\u0000"]}')).toEqual({ a: [1, '\u0000'] });
  });

  it('printable escapes terminal control characters in messages, keeping text', () => {
    expect(printable('a\u0000b\u001b[31mc\u009bd é')).toBe('a\\x00b\\x1b[31mc\\x9bd é');
  });
});
