/** Validates the one-document JSON outputs (`models --json`, `doctor --json`, `sessions ... --json`) against schema/. */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const cache = new Map<string, ValidateFunction>();

/**
 * Parses `stdout` as exactly one JSON document and validates it against `schema/<name>.schema.json`.
 * @throws Error with the validation errors
 */
export function parseDocument<T = Record<string, unknown>>(name: 'models' | 'doctor' | 'sessions', stdout: string): T {
  let v = cache.get(name);
  if (!v) {
    v = ajv.compile(
      JSON.parse(readFileSync(new URL(`../../schema/${name}.schema.json`, import.meta.url), 'utf8')) as object,
    );
    cache.set(name, v);
  }
  const value: unknown = JSON.parse(stdout);
  if (!v(value)) throw new Error(`${name} --json violates its schema: ${ajv.errorsText(v.errors)}`);
  return value as T;
}
