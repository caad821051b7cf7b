/** Validates NDJSON lines against schema/events.schema.json (ajv). */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = JSON.parse(readFileSync(new URL('../../schema/events.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/**
 * Parses stdout as NDJSON and validates every line.
 * @throws Error naming the first bad line
 */
export function parseEvents(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] !== '')
    throw new Error(`stdout does not end with a newline: ${JSON.stringify(stdout.slice(-80))}`);
  return lines.slice(0, -1).map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (!validate(value))
      throw new Error(`line ${i + 1} violates the schema: ${ajv.errorsText(validate.errors)}\n${line.slice(0, 300)}`);
    return value as Record<string, unknown>;
  });
}
