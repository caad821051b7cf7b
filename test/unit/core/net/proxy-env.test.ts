/** Proxy variables: precedence, empty lower-case values, NO_PROXY matching, redaction. */
import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyEnv, proxyFor, redactProxyUrl } from '../../../../src/core/net/proxy-env.js';

describe('proxyEnv', () => {
  it('lower case wins when set; an empty lower-case value does not hide the upper-case one', () => {
    expect(proxyEnv({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }).httpsProxy).toBe('http://a:1');
    expect(proxyEnv({ https_proxy: '', HTTPS_PROXY: 'http://b:2' }).httpsProxy).toBe('http://b:2');
    expect(proxyEnv({ no_proxy: '', NO_PROXY: 'x' }).noProxy).toBe('x');
    expect(proxyEnv({ HTTP_PROXY: 'http://h:3' })).toEqual({
      httpProxy: 'http://h:3',
      httpsProxy: 'http://h:3',
      noProxy: '',
    });
    expect(proxyEnv({})).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: '' });
  });
});

describe('NO_PROXY', () => {
  const u = (s: string) => new URL(s);
  it.each([
    ['https://api.openai.com/v1', 'openai.com', true],
    ['https://api.openai.com/v1', '.openai.com', true],
    ['https://openai.com/', '.openai.com', true],
    ['https://notopenai.com/', 'openai.com', false],
    ['http://127.0.0.1:8080/', '127.0.0.1', true],
    ['http://127.0.0.1:8080/', '127.0.0.1:9090', false],
    ['http://127.0.0.1:8080/', '127.0.0.1:8080', true],
    ['http://localhost:1/', 'example.com, localhost', true],
    ['https://x.example/', '*', true],
    ['http://127.0.0.1/', '', false],
  ])('%s with NO_PROXY=%j -> bypass %s', (url, list, expected) => {
    expect(bypassesProxy(u(url), list)).toBe(expected);
  });

  it('loopback is proxied unless listed', () => {
    expect(proxyFor('http://127.0.0.1:5/x', { HTTP_PROXY: 'http://p:1' })).toBe('http://p:1');
    expect(proxyFor('http://127.0.0.1:5/x', { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1' })).toBeUndefined();
    expect(proxyFor('https://h/', { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://s:2' })).toBe('http://s:2');
  });
});

describe('redactProxyUrl', () => {
  it('hides the password, keeps user, host and port', () => {
    expect(redactProxyUrl('http://u:p%40ss@127.0.0.1:3128')).toBe('http://u:***@127.0.0.1:3128');
    expect(redactProxyUrl('http://127.0.0.1:3128/')).toBe('http://127.0.0.1:3128');
    expect(redactProxyUrl('not a url //u:secret@h')).not.toContain('secret');
  });
});
