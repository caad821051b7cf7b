/**
 * The `turn.failed` codes (src/core/turn-failure-codes.ts) are one list: the events schema names
 * exactly these, every literal code thrown by the modules a turn runs is among them, and none of
 * them is stale (each still appears in the source).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TURN_FAILURE_CODES } from '../../../src/core/turn-failure-codes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const tsFiles = (dir: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`);

/**
 * The modules whose errors can end a running turn: the loop, the Responses client and stream, the
 * HTTP client, the credential refresh and store, the output schema, and the abort reasons of `run`.
 * Usage errors are excluded: they are raised before a turn starts.
 */
const TURN_MODULES = [
  'src/core/turn.ts',
  'src/core/output-schema.ts',
  'src/core/http.ts',
  'src/core/http-node.ts',
  'src/core/auth/token-manager.ts',
  'src/core/auth/token-endpoint.ts',
  'src/cli/run/execute.ts',
  'src/cli/signals.ts',
  'src/core/critical.ts',
  'src/cli/run/session.ts',
  'src/core/sessions/store.ts',
  ...tsFiles('src/core/responses'),
  ...tsFiles('src/core/net'),
  ...tsFiles('src/core/store'),
];

/**
 * The modules `kolega run` goes through before its request: every code they throw, usage codes
 * included, can end up in a turn.failed line (its only line).
 */
const RUN_MODULES = [
  ...tsFiles('src/cli/run'),
  'src/cli/commands/run.ts',
  'src/core/output-schema.ts',
  'src/core/regular-file.ts',
  'src/core/providers/select.ts',
  'src/core/mcp/config.ts',
  'src/core/mcp/servers.ts',
  ...tsFiles('src/core/sessions'),
];

/** Every literal code of `new KolegaError(...)`, `super(...)` or `usageError(...)`, usage codes included. */
function allThrownCodes(source: string): string[] {
  return [
    ...[...source.matchAll(/(?:new KolegaError|super)\(\s*'[a-z_]+',\s*'([a-z0-9_]+)'/g)].map((m) => m[1]!),
    ...[...source.matchAll(/usageError\(\s*'([a-z0-9_]+)'/g)].map((m) => m[1]!),
  ];
}

/** Codes those modules throw only outside a turn, with where. */
const NOT_IN_A_TURN: Record<string, string> = {
  token_exchange_failed: 'exchangeCode in token-endpoint.ts runs at sign-in only',
  bad_transport: 'execute.ts reads the transport setting before the turn starts',
  session_corrupt: 'a resumed session is read before its turn starts',
  session_open_failed: 'a resumed session is opened before its turn starts',
  session_too_new: 'a resumed session is read before its turn starts',
};

/** Literal codes of `new KolegaError('<class>', '<code>'` (and of `super(...)` in error subclasses). */
function thrownCodes(source: string): string[] {
  const codes: string[] = [];
  for (const m of source.matchAll(/(?:new KolegaError|super)\(\s*'([a-z]+)',\s*'([a-z0-9_]+)'/g)) {
    if (m[1] !== 'usage') codes.push(m[2]!);
  }
  return codes;
}

describe('turn.failed codes', () => {
  it('are listed in schema/events.schema.json, and only they', () => {
    const schema = JSON.parse(read('schema/events.schema.json')) as {
      definitions: Record<
        string,
        { properties: { error: { properties: { code: { anyOf: { enum?: string[]; pattern?: string }[] } } } } }
      >;
    };
    const code = schema.definitions['turn.failed']!.properties.error.properties.code;
    expect(code.anyOf[0]!.enum).toEqual([...TURN_FAILURE_CODES]);
    expect(code.anyOf[1]!.pattern).toBe('^http_[0-9]{3}$');
  });

  it('has no duplicates', () => {
    expect(new Set(TURN_FAILURE_CODES).size).toBe(TURN_FAILURE_CODES.length);
  });

  it('include every literal code the modules of a turn throw', () => {
    const thrown = new Set(TURN_MODULES.flatMap((f) => thrownCodes(read(f))).filter((c) => !(c in NOT_IN_A_TURN)));
    expect(thrown.size).toBeGreaterThan(20);
    expect([...thrown].filter((c) => !(TURN_FAILURE_CODES as readonly string[]).includes(c)).sort()).toEqual([]);
  });

  it('include every literal code, usage codes too, that run can throw before its request', () => {
    const thrown = new Set(RUN_MODULES.flatMap((f) => allThrownCodes(read(f))));
    expect(thrown.size).toBeGreaterThan(30);
    expect([...thrown].filter((c) => !(TURN_FAILURE_CODES as readonly string[]).includes(c)).sort()).toEqual([]);
  });

  it('are all still produced somewhere in src', () => {
    const walk = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
      );
    const all = ['src/core', 'src/cli']
      .flatMap(walk)
      .filter((f) => f !== 'src/core/turn-failure-codes.ts')
      .map(read)
      .join('\n');
    expect(TURN_FAILURE_CODES.filter((c) => !all.includes(`'${c}'`))).toEqual([]);
  });
});
