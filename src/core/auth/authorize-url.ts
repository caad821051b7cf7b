/**
 * The authorize URL with every parameter of docs/protocol.md §a.2, in order, each value encoded so that
 * only `A-Z a-z 0-9 - _ . ~` stay literal (spaces become `%20`, never `+`).
 */
import { CLIENT_ID, ORIGINATOR, SCOPES } from './constants.js';

/** Inputs of the authorize URL. */
export interface AuthorizeParams {
  /** `{issuer}/oauth/authorize` */
  authorizeEndpoint: string;
  redirectUri: string;
  codeChallenge: string;
  state: string;
}

/** RFC 3986 unreserved-only encoding (docs/protocol.md §a.2). */
export function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Builds the authorize URL (docs/protocol.md §a.2 parameters 1-10). */
export function buildAuthorizeUrl(p: AuthorizeParams): string {
  const params: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', CLIENT_ID],
    ['redirect_uri', p.redirectUri],
    ['scope', SCOPES],
    ['code_challenge', p.codeChallenge],
    ['code_challenge_method', 'S256'],
    ['id_token_add_organizations', 'true'],
    ['codex_cli_simplified_flow', 'true'],
    ['state', p.state],
    ['originator', ORIGINATOR],
  ];
  return `${p.authorizeEndpoint}?${params.map(([k, v]) => `${k}=${encodeStrict(v)}`).join('&')}`;
}
