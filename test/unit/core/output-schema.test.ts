/** loadOutputSchema: drafts, formats, errors. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOutputSchema } from '../../../src/core/output-schema.js';
import { tempDir } from '../../helpers/cli.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const load = (schema: unknown) => {
  const f = path.join(dir.dir, 's.json');
  writeFileSync(f, JSON.stringify(schema));
  return loadOutputSchema(f);
};

describe('loadOutputSchema', () => {
  it('validates formats (ajv-formats) and returns the parsed value', async () => {
    const s = await load({
      type: 'object',
      properties: { when: { type: 'string', format: 'date' } },
      required: ['when'],
    });
    expect(s.validate('{"when":"2026-11-30"}')).toEqual({ when: '2026-11-30' });
    expect(() => s.validate('{"when":"yesterday"}')).toThrow(/must match format "date"/);
  });

  it('supports draft 2020-12 schemas', async () => {
    const s = await load({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'integer' }],
    });
    expect(s.validate('[1]')).toEqual([1]);
    expect(() => s.validate('["x"]')).toThrow(/output_schema_mismatch|does not match/);
  });

  it('maps failures to exit classes: bad schema = usage, bad answer = upstream', async () => {
    await expect(load([1, 2])).rejects.toMatchObject({ exitClass: 'usage', code: 'output_schema_invalid' });
    const s = await load({ type: 'string' });
    try {
      s.validate('nope');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ exitClass: 'upstream', code: 'output_not_json' });
    }
  });
});
