/**
 * `--output-schema FILE`: the JSON Schema the final answer must follow. It is sent as
 * `text.format` {type: "json_schema", strict: true, name, schema} (docs/protocol.md §e.4) and the final
 * message is validated against it with ajv, which is imported only when the flag is used.
 */
import { KolegaError } from './errors.js';
import { JsonSyntaxError, parseJsonText } from './json-syntax.js';
import { readRegularFile } from './regular-file.js';

/** The `name` sent in `text.format` (must match ^[a-zA-Z0-9_-]+$). */
export const OUTPUT_SCHEMA_NAME = 'kolega_output_schema';

/** Largest `--output-schema` file, in bytes (a schema is small; this bounds a mistaken path). */
export const MAX_OUTPUT_SCHEMA_BYTES = 1024 * 1024;

/** A loaded output schema. */
export interface OutputSchema {
  /** The `text.format` object for the request body. */
  textFormat: Record<string, unknown>;
  /**
   * Checks the final text.
   * @returns the parsed JSON value
   * @throws KolegaError(upstream, `output_not_json` | `output_schema_mismatch`) -> exit 5
   */
  validate(text: string): unknown;
}

type AjvErrorsText = (errors?: unknown[] | null, options?: { dataVar?: string }) => string;

/**
 * Reads `file`, checks it is a usable JSON Schema, and compiles a validator.
 * @throws KolegaError(usage, `output_schema_unreadable` | `output_schema_invalid` | `not_a_file` |
 *   `file_too_large`) -> exit 2
 */
export async function loadOutputSchema(file: string): Promise<OutputSchema> {
  let schema: unknown;
  try {
    schema = parseJsonText(readRegularFile(file, '--output-schema', MAX_OUTPUT_SCHEMA_BYTES).toString('utf8'));
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'no such file' : e instanceof JsonSyntaxError ? `not valid JSON (${e.message})` : e.message;
    throw new KolegaError('usage', 'output_schema_unreadable', `cannot read --output-schema ${file}: ${why}`, {
      hint: 'pass a file holding a JSON Schema object',
    });
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new KolegaError('usage', 'output_schema_invalid', `--output-schema ${file} is not a JSON Schema object`, {
      hint: 'the file must hold one JSON object',
    });
  }
  const { check, errorsText } = await compile(schema as Record<string, unknown>, file);
  return {
    textFormat: { type: 'json_schema', strict: true, name: OUTPUT_SCHEMA_NAME, schema },
    validate(text: string): unknown {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new KolegaError(
          'upstream',
          'output_not_json',
          `the final answer is not valid JSON (${(err as Error).message}), as --output-schema requires`,
        );
      }
      const errors = check(value);
      if (errors) {
        throw new KolegaError(
          'upstream',
          'output_schema_mismatch',
          `the final answer does not match --output-schema: ${errorsText(errors, { dataVar: 'answer' })}`,
        );
      }
      return value;
    },
  };
}

async function compile(
  schema: Record<string, unknown>,
  file: string,
): Promise<{ check: (v: unknown) => unknown[] | null; errorsText: AjvErrorsText }> {
  const draft = String(schema.$schema ?? '');
  // The draft decides the ajv class; draft-07 (ajv's default) otherwise.
  const mod = draft.includes('2020-12')
    ? await import('ajv/dist/2020.js')
    : draft.includes('2019-09')
      ? await import('ajv/dist/2019.js')
      : await import('ajv');
  const { default: addFormatsModule } = await import('ajv-formats');
  const AjvClass = (mod as unknown as { default: new (opts: object) => AjvLike }).default;
  const ajv = new AjvClass({ allErrors: true, strict: false, logger: false });
  (addFormatsModule as unknown as (a: AjvLike) => void)(ajv);
  let fn: ValidateFn;
  try {
    fn = ajv.compile(schema);
  } catch (err) {
    throw new KolegaError(
      'usage',
      'output_schema_invalid',
      `--output-schema ${file} is not a valid JSON Schema: ${(err as Error).message}`,
    );
  }
  return {
    check: (v) => (fn(v) ? null : (fn.errors ?? [])),
    errorsText: (errors, opts) => ajv.errorsText(errors, opts),
  };
}

interface ValidateFn {
  (v: unknown): boolean;
  errors?: unknown[] | null;
}
interface AjvLike {
  compile(schema: object): ValidateFn;
  errorsText(errors?: unknown[] | null, opts?: { dataVar?: string }): string;
}
