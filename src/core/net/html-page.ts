/**
 * HTML error pages: an answer that is a web page instead of the API's JSON, served by a CDN (a
 * Cloudflare challenge or block page), a corporate proxy or firewall, or a captive portal. The page
 * is never shown; one line says what blocked the request, with the status, the `cf-ray` or request
 * id when present, and what to do. It is an upstream failure (exit 5), not an authentication one:
 * only a JSON answer from the backend itself can say that the credentials are wrong.
 */
import { KolegaError } from '../errors.js';

/** The stable error code of an HTML error page (`turn.failed.error.code`). */
export const HTML_ERROR_PAGE_CODE = 'html_error_page';

/** True when an answer is an HTML page: `content-type: text/html`, or a body that starts like one. */
export function isHtmlPage(headers: Record<string, string>, body: string): boolean {
  const type = (headers['content-type'] ?? '').toLowerCase();
  if (type.includes('text/html') || type.includes('application/xhtml')) return true;
  if (type.includes('json')) return false;
  return /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(body.slice(0, 512));
}

/** The page's `<title>`, as one short printable line, or undefined. */
function pageTitle(body: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,400})<\/title>/i.exec(body.slice(0, 64 * 1024));
  if (!m) return undefined;
  const t = m[1]!
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t === '' ? undefined : t.slice(0, 80);
}

/** Who served the page, from its headers and body. */
function blocker(headers: Record<string, string>, body: string): string {
  const server = (headers.server ?? '').toLowerCase();
  if (headers['cf-ray'] !== undefined || server.includes('cloudflare') || /cloudflare/i.test(body.slice(0, 64 * 1024)))
    return 'Cloudflare (the CDN in front of the server)';
  if (headers['proxy-authenticate'] !== undefined || headers.via !== undefined)
    return 'a proxy on the way to the server';
  return 'something between kolega and the server (a CDN, proxy, firewall or captive portal)';
}

/**
 * The error for an HTML page answering `what` (e.g. "the request", "the token refresh").
 * @param status the HTTP status of the page
 * @returns KolegaError(upstream, `html_error_page`), retryable for a 5xx page (before any output)
 */
export function htmlPageError(
  status: number,
  headers: Record<string, string>,
  body: string,
  what = 'the request',
): KolegaError {
  const cfRay = headers['cf-ray'];
  const requestId = headers['x-request-id'] ?? headers['x-oai-request-id'];
  const ids = [cfRay ? `cf-ray ${cfRay}` : undefined, requestId ? `request id ${requestId}` : undefined]
    .filter(Boolean)
    .join(', ');
  const title = pageTitle(body);
  const message =
    `${what} was answered by ${blocker(headers, body)} with an HTML page instead of the API: HTTP ${status}` +
    (title ? ` "${title}"` : '') +
    (ids ? ` (${ids})` : '');
  const hint =
    status === 407
      ? 'the proxy wants credentials: HTTPS_PROXY=http://user:password@host:port'
      : 'check the network, VPN or proxy settings (HTTPS_PROXY), finish any captive-portal sign-in in a browser, then retry; quote the id above when reporting it';
  return new KolegaError('upstream', HTML_ERROR_PAGE_CODE, printable(message), {
    httpStatus: status,
    requestId: cfRay ?? requestId,
    retryable: status >= 500,
    hint,
  });
}

/** Header values are printable ASCII already; this keeps the whole line so. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
