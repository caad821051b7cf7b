/** The terminal table of `kolega models` and the live-list merge rules. */
import { describe, expect, it } from 'vitest';
import { renderModelsTable } from '../../src/cli/models/list.js';
import { bundledEntries, liveEntries } from '../../src/core/models/catalogue.js';
import { parseLiveModels } from '../../src/core/models/live.js';

describe('renderModelsTable', () => {
  it('marks defaults and the model run would use, and lists credentials', () => {
    const out = renderModelsTable({
      schema_version: 1,
      default_model: 'openai/gpt-5.5',
      providers: [
        { id: 'openai_chatgpt', has_credentials: false, source: 'bundled' },
        { id: 'openai', has_credentials: true, source: 'bundled' },
      ],
      models: [...bundledEntries('openai_chatgpt'), ...bundledEntries('openai')],
    });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^\s+MODEL\s+LABEL\s+CONTEXT\s+MAX OUT\s+EFFORTS \(\* default\)\s+SOURCE$/);
    expect(lines.find((l) => l.includes('openai_chatgpt/gpt-5.5'))).toMatch(/^ \*\s/);
    expect(lines.find((l) => l.includes('openai/gpt-5.5'))).toMatch(/^>\*\s.*272k\s+128k\s+low medium\* high xhigh\s+bundled$/);
    expect(lines.find((l) => l.includes('gpt-5.4 '))).toMatch(/^\s\s\s/);
    expect(out).toContain('providers: openai_chatgpt (no credentials), openai (credentials present)');
  });
});

describe('live list', () => {
  it('parses the backend shape and skips junk', () => {
    const live = parseLiveModels({ models: [{ slug: 'a', supported_reasoning_levels: [{ effort: 'low' }, 'high'], context_window: 5 }, { nope: 1 }, null] });
    expect(live).toEqual([{ slug: 'a', efforts: ['low', 'high'], context_window: 5, display_name: undefined, default_reasoning_level: undefined, visibility: undefined, priority: undefined }]);
    expect(() => parseLiveModels({ data: [] })).toThrow(/no "models" array/);
  });

  it('makes the first model the default when the bundled default is gone', () => {
    const e = liveEntries([{ slug: 'x', efforts: [] }, { slug: 'y', efforts: ['low'] }]);
    expect(e.map((m) => [m.id, m.is_default, m.default_effort])).toEqual([
      ['x', true, null],
      ['y', false, 'low'],
    ]);
  });
});
