/**
 * Writes dist/help.json, the help texts bin/kolega prints without loading the CLI
 * (src/cli/help-snapshot.ts). Run by `npm run build` after tsc; atomic (temp file + rename).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { helpSnapshot } from '../src/cli/help-snapshot.js';

const target = fileURLToPath(new URL('../dist/help.json', import.meta.url));
const snapshot = await helpSnapshot();
writeFileSync(`${target}.tmp`, JSON.stringify(snapshot));
renameSync(`${target}.tmp`, target);
