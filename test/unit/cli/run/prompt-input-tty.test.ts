/** readPrompt with stdin on a terminal and no prompt: the message says stdin was not read. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readPrompt } from '../../../../src/cli/run/prompt-input.js';

describe('readPrompt on a terminal', () => {
  it('names the terminal and the ways to give a prompt, for no arguments and for -', async () => {
    for (const args of [[], ['-']]) {
      const tty = Object.assign(new PassThrough(), { isTTY: true });
      await expect(readPrompt(args, undefined, tty)).rejects.toMatchObject({
        code: 'empty_prompt',
        message: 'no prompt: stdin is a terminal, so it was not read',
        hint: expect.stringContaining('--stdin'),
      });
    }
  });
});
