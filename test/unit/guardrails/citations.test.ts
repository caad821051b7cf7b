/**
 * scripts/check-citations.ts: comments may cite files of the repository, public URLs, or give the
 * reason; documents outside the repository, issue numbers and (outside tests) case ids are refused,
 * and so are docs/protocol.md sections or docs titles that do not exist.
 */
import { describe, expect, it } from 'vitest';
import { checkText, comments, sectionLabels, type RepoFacts } from '../../../scripts/check-citations.js';

const PROTOCOL = '# P\n## Decisions\n## a. Sign-in\n### a.2 Authorize URL\n### Turn state\n## g. Models\n';
const DESIGN = '# D\n## Exit status\n- Text mode: stdout receives the text.\n';
const repo: RepoFacts = {
  exists: (p) => ['docs/protocol.md', 'docs/design.md', 'README.md', 'test/fixtures/jwt/README.md'].includes(p),
  doc: (p) => ({ 'docs/protocol.md': PROTOCOL, 'docs/design.md': DESIGN })[p],
};
const reasons = (code: string, file = 'src/core/x.ts') =>
  checkText(file, code, repo).map((f) => `${f.line}: ${f.reason}`);

describe('check-citations', () => {
  it('accepts in-repository documents, existing sections and titles, public URLs and plain reasons', () => {
    const code = [
      '/** The URL of docs/protocol.md §a.2 (see also docs/protocol.md §g, README.md "Models"). */',
      '// Echoed within a turn only (docs/protocol.md "Turn state"; docs/design.md "Exit status").',
      '/* Claims: test/fixtures/jwt/README.md; https://github.com/openai/codex/blob/main/README.md */',
      'export const x = 1; // a closed stderr must never crash the run: stdout may still be read',
      "export const s = 'protocol.md issue 7 B25'; // strings are not comments",
    ].join('\n');
    expect(reasons(code)).toEqual([]);
  });

  it.each([
    ['/** See protocol.md a.2. */', 'protocol.md, which is not in the repository'],
    ['// as design.md says', 'design.md, which is not in the repository'],
    ['/** (style.md #3) */', 'style.md, which is not in the repository'],
    ['// read ../shared/docs/protocol.md', 'outside the repository'],
    ['// from shared/fixtures/sse', '"shared/fixtures", which is outside the repository'],
    ['// peer-failures B23', '"peer-failures", which is outside the repository'],
    ['/** fast start-up (issue 7) */', '"issue 7"'],
    ['// fail first (B35).', 'case id B35'],
    ['// a lost write (B38b)', 'case id B38b'],
    ['/** docs/protocol.md §z.9 */', 'docs/protocol.md has no section z.9'],
    ['/** docs/protocol.md "No such title" */', 'docs/protocol.md has no "No such title"'],
    ['/** docs/design.md "JSON mode" */', 'docs/design.md has no "JSON mode"'],
  ])('refuses %j', (code, reason) => {
    expect(reasons(`export const a = 1;\n${code}\n`).join('\n')).toContain(reason);
  });

  it('reports the line of the citation inside a block comment', () => {
    expect(reasons('/**\n * one\n * two (issue 4)\n */\nexport {};\n')).toEqual([expect.stringMatching(/^3: /)]);
  });

  it('lets tests keep case ids but not outside documents', () => {
    expect(reasons("it('B24 keeps the connection', () => {}); // case B24\n", 'test/e2e/x.test.ts')).toEqual([]);
    expect(reasons('// peer-failures B24\n', 'test/e2e/x.test.ts')).toHaveLength(1);
  });

  it('finds comments, not comment-like text in strings, templates or regular expressions', () => {
    const code = "const a = '// not a comment';\nconst b = `/* nor this */`;\nconst c = /\\/\\/x/;\n// yes\n";
    expect(comments(code).map((c) => c.text)).toEqual(['// yes']);
  });

  it('reads section labels from headings only', () => {
    expect([...sectionLabels(PROTOCOL)].sort()).toEqual(['a', 'a.2', 'g']);
  });
});
