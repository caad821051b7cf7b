/** The terminal table of `kolega models` and the live-list merge rules. */
import { describe, expect, it } from 'vitest';
import { renderModelsTable } from '../../../../src/cli/models/list.js';
import { bundledEntries, liveEntries } from '../../../../src/core/models/catalogue.js';
import { parseLiveModels } from '../../../../src/core/models/live.js';

describe('renderModelsTable', () => {
  it('marks defaults and the model run would use, and lists credentials', () => {
    const out = renderModelsTable({
      schema_version: 1,
      default_model: 'openai/gpt-6.2-sol',
      providers: [
        { id: 'openai_chatgpt', has_credentials: false, source: 'bundled' },
        { id: 'openai', has_credentials: true, source: 'bundled' },
      ],
      models: [...bundledEntries('openai_chatgpt'), ...bundledEntries('openai')],
    });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^\s+MODEL\s+LABEL\s+CONTEXT\s+MAX OUT\s+EFFORTS \(\* default\)\s+SOURCE$/);
    expect(lines.find((l) => l.includes('openai_chatgpt/gpt-6.2-sol'))).toMatch(/^ \*\s/);
    expect(lines.find((l) => l.includes('openai/gpt-6.2-sol'))).toMatch(
      /^>\*\s.*500k\s+-\s+low\* medium high xhigh max ultra\s+bundled$/,
    );
    expect(lines.find((l) => l.includes('openai/gpt-5.5'))).toMatch(
      /^\s\s\s.*272k\s+128k\s+low medium\* high xhigh\s+bundled$/,
    );
    expect(lines.find((l) => l.includes('gpt-5.4 '))).toMatch(/^\s\s\s.*legacy$/);
    expect(out).toContain('legacy: no longer in the current Codex catalogue');
    expect(out).toContain('providers: openai_chatgpt (no credentials), openai (credentials present)');
  });
});

describe('live list', () => {
  it('parses the backend shape and skips junk', () => {
    const live = parseLiveModels({
      models: [
        { slug: 'a', supported_reasoning_levels: [{ effort: 'low' }, 'high'], context_window: 5 },
        { nope: 1 },
        null,
      ],
    });
    expect(live).toEqual([
      {
        slug: 'a',
        efforts: ['low', 'high'],
        context_window: 5,
        display_name: undefined,
        default_reasoning_level: undefined,
        visibility: undefined,
        priority: undefined,
      },
    ]);
    expect(() => parseLiveModels({ data: [] })).toThrow(/no "models" array/);
  });

  it('makes the first listed model the plan can use the default, then lists the bundled models the live list lacks', () => {
    const e = liveEntries(
      [
        { slug: 'x', efforts: [], available_in_plans: ['pro'] },
        { slug: 'y', efforts: ['low'] },
      ],
      'plus',
    );
    expect(e.slice(0, 2).map((m) => [m.id, m.is_default, m.default_effort, m.source])).toEqual([
      ['x', false, 'medium', 'live'],
      ['y', true, 'low', 'live'],
    ]);
    expect(e.slice(2).every((m) => m.source === 'bundled' && !m.is_default)).toBe(true);
    expect(e.map((m) => m.id)).toContain('gpt-6.2-sol');
    // without a plan restriction the first listed model is the default
    expect(liveEntries([{ slug: 'x', efforts: [], available_in_plans: ['pro'] }], 'pro')[0]!.is_default).toBe(true);
  });

  it('keeps the Responses fields of an entry', () => {
    const [m] = parseLiveModels({
      models: [
        {
          slug: 'a',
          use_responses_lite: true,
          tool_mode: 'code_mode_only',
          supports_parallel_tool_calls: true,
          support_verbosity: true,
          default_verbosity: 'low',
          default_reasoning_summary: 'none',
          minimal_client_version: '0.166.0',
          available_in_plans: ['plus', 'bad plan'],
        },
      ],
    });
    expect(m).toMatchObject({
      use_responses_lite: true,
      tool_mode: 'code_mode_only',
      supports_parallel_tool_calls: true,
      default_verbosity: 'low',
      default_reasoning_summary: 'none',
      minimal_client_version: '0.166.0',
      available_in_plans: ['plus'],
    });
  });
});
