/**
 * The small HTML pages the loopback server shows in the browser (our own; docs/protocol.md §a.7 is
 * Codex's). They never contain a token or code.
 */

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** The page shown after a successful sign-in. */
export function successPage(): string {
  return page(
    'Signed in to kolega',
    '<p>You are signed in with ChatGPT. You can close this tab and return to the terminal.</p>',
  );
}

/** The page shown when the sign-in failed. */
export function errorPage(message: string, hint?: string): string {
  return page('kolega sign-in failed', `<p>${escapeHtml(message)}</p>${hint ? `<p>${escapeHtml(hint)}</p>` : ''}`);
}
