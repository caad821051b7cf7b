/**
 * Checking one entry of an MCP `tools/list` answer on its own (MCP spec `Tool`: a string `name`,
 * an `inputSchema` object with `"type": "object"`), so that one bad tool is skipped instead of the
 * whole server being rejected. The schema must also compile as JSON Schema (ajv, imported on first
 * use): the Responses API refuses a request whose tool parameters are not a valid schema.
 */

/** The parts of a listed tool kolega uses. */
export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

interface AjvLike {
  compile(schema: object): unknown;
  removeSchema(): unknown;
}
const compilers = new Map<string, Promise<AjvLike>>();

/** An ajv for the schema's draft (named by `$schema`; draft-07, ajv's default, otherwise). */
function ajvFor(draft: string): Promise<AjvLike> {
  const kind = draft.includes('2020-12') ? '2020' : draft.includes('2019-09') ? '2019' : '07';
  let p = compilers.get(kind);
  if (!p) {
    const mod =
      kind === '2020' ? import('ajv/dist/2020.js') : kind === '2019' ? import('ajv/dist/2019.js') : import('ajv');
    p = mod.then(
      (m) =>
        new (m as unknown as { default: new (opts: object) => AjvLike }).default({
          strict: false,
          logger: false,
          validateFormats: false,
        }),
    );
    compilers.set(kind, p);
  }
  return p;
}

/** Compiles `schema`. @throws ajv's error when it is not a valid schema */
async function compileSchema(schema: Record<string, unknown>): Promise<void> {
  const { $schema, ...rest } = schema;
  const ajv = await ajvFor(typeof $schema === 'string' ? $schema : '');
  try {
    ajv.compile(rest);
  } finally {
    ajv.removeSchema(); // forget `$id`s, so two tools may use the same one
  }
}

/**
 * Checks one raw `tools/list` entry.
 * @returns the tool, or why it is unusable (with its name when it has one); never throws
 */
export async function checkListedTool(
  raw: unknown,
): Promise<{ tool: ListedTool } | { name?: string; problem: string }> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'the entry is not an object' };
  const t = raw as Record<string, unknown>;
  if (typeof t.name !== 'string' || t.name === '') return { problem: 'its "name" is not a non-empty string' };
  const name = t.name;
  if ((t.execution as { taskSupport?: unknown } | undefined)?.taskSupport === 'required') {
    return { name, problem: 'it can only run as a task, which kolega does not support' };
  }
  const schema = t.inputSchema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    return { name, problem: 'its inputSchema is not an object' };
  const type = (schema as Record<string, unknown>).type;
  if (type !== 'object')
    return {
      name,
      problem: `its inputSchema has "type": ${JSON.stringify(type) ?? 'undefined'}; an MCP tool's input must be "object"`,
    };
  try {
    await compileSchema(schema as Record<string, unknown>);
  } catch (err) {
    return { name, problem: `its inputSchema is not a valid JSON Schema (${(err as Error).message})` };
  }
  return {
    tool: {
      name,
      title: typeof t.title === 'string' ? t.title : undefined,
      description: typeof t.description === 'string' ? t.description : undefined,
      inputSchema: schema as Record<string, unknown>,
    },
  };
}
