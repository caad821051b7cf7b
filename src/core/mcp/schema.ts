/**
 * An MCP tool's `inputSchema` made acceptable as Responses-API `parameters` (docs/protocol.md §e.6): the
 * root is an object with `properties`, and every array schema has `items` (the API rejects arrays
 * without it). Nothing else is changed.
 */

/** Adds `items: {}` to array schemas that lack it, recursively (returns a copy). */
function fixArrays(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixArrays);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = fixArrays(v);
  const type = out.type;
  if (
    (type === 'array' || (Array.isArray(type) && type.includes('array'))) &&
    out.items === undefined &&
    out.prefixItems === undefined
  )
    out.items = {};
  return out;
}

/** The `parameters` for an MCP tool with this `inputSchema` (any value; a copy is returned). */
export function mcpParameters(inputSchema: unknown): Record<string, unknown> {
  const s = (
    inputSchema && typeof inputSchema === 'object' && !Array.isArray(inputSchema) ? fixArrays(inputSchema) : {}
  ) as Record<string, unknown>;
  s.type = 'object';
  if (!s.properties || typeof s.properties !== 'object') s.properties = {};
  return s;
}
