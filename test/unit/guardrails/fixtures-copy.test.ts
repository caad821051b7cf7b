/**
 * test/fixtures is a copy of the team's shared recordings (recorded streams and token payloads). When
 * the shared folder sits beside the checkout (as in CI), the copy must match it byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const shared = new URL('../../../../shared/fixtures/', import.meta.url);
const copy = new URL('../../fixtures/', import.meta.url);

describe.runIf(existsSync(shared))('test/fixtures copy of shared/fixtures', () => {
  for (const dir of ['sse', 'jwt', 'models']) {
    it(`${dir}/ matches`, () => {
      const names = readdirSync(new URL(`${dir}/`, shared)).sort();
      expect(readdirSync(new URL(`${dir}/`, copy)).sort()).toEqual(names);
      for (const n of names) {
        expect(
          readFileSync(new URL(`${dir}/${n}`, copy)).equals(readFileSync(new URL(`${dir}/${n}`, shared))),
          `${dir}/${n}`,
        ).toBe(true);
      }
    });
  }
});
