/**
 * An MCP `tools/call` result as the text of a `function_call_output`: text parts joined by
 * newlines, other parts named in brackets, `structuredContent` as JSON when there is no content;
 * capped at MCP_MAX_OUTPUT_BYTES (on a UTF-8 character boundary) with a marker.
 */
import { cutUtf8 } from '../tools/utf8-cut.js';

/** Output returned to the model per call, in bytes. */
export const MCP_MAX_OUTPUT_BYTES = 64 * 1024;

/** The parts of a call result kolega reads (MCP spec `CallToolResult`). */
export interface McpCallResult {
  content?: Array<Record<string, unknown>>;
  structuredContent?: unknown;
  isError?: boolean;
  /** Pre-2024-11 servers answer `toolResult` instead. */
  toolResult?: unknown;
}

function part(p: Record<string, unknown>): string {
  switch (p.type) {
    case 'text':
      return String(p.text ?? '');
    case 'image':
    case 'audio':
      return `[${String(p.type)} ${String(p.mimeType ?? '')} omitted]`;
    case 'resource': {
      const r = (p.resource ?? {}) as Record<string, unknown>;
      return typeof r.text === 'string' ? r.text : `[resource ${String(r.uri ?? '')}]`;
    }
    case 'resource_link':
      return `[resource link ${String(p.uri ?? '')}${p.name ? ` (${String(p.name)})` : ''}]`;
    default:
      return `[${String(p.type)} content]`;
  }
}

/** The text for the model. */
export function mcpResultText(result: McpCallResult): string {
  let text: string;
  if (Array.isArray(result.content) && result.content.length > 0) text = result.content.map(part).join('\n');
  else if (result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  else if (result.toolResult !== undefined)
    text = typeof result.toolResult === 'string' ? result.toolResult : JSON.stringify(result.toolResult);
  else text = '(no output)';
  const cut = cutUtf8(text, MCP_MAX_OUTPUT_BYTES);
  if (cut.omittedBytes > 0) text = `${cut.text}\n[... ${cut.omittedBytes} bytes of output omitted ...]`;
  return text;
}
