/**
 * Secrets hidden from tools: credential stores in the home directory, kolega's own state
 * directory, and paths the user adds with the `sandbox_masked_paths` setting. Inside the `shell`
 * sandbox each one that exists is replaced by an empty read-only mount (an empty directory, or an
 * empty file); the file tools refuse them. A writable root (`--add-dir`) that is a masked path, or
 * lies inside one, unmasks that root explicitly. full-access masks nothing.
 */
import os from 'node:os';
import path from 'node:path';
import { kolegaHome } from '../store/paths.js';
import { readSettings } from '../store/settings.js';
import { realpathLenient } from './paths.js';

/** Masked by default, relative to the home directory. */
export const DEFAULT_MASKED_IN_HOME: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker/config.json',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.codex',
];

/** The setting that adds masked paths: a string of paths separated by `:` (absolute, or `~/...`). */
export const MASKED_PATHS_SETTING = 'sandbox_masked_paths';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Parses the setting's value.
 * @returns absolute paths (`~` expanded with `home`); entries that are neither absolute nor `~/...` are returned in `bad`
 */
export function parseMaskedSetting(value: string, home: string): { paths: string[]; bad: string[] } {
  const paths: string[] = [];
  const bad: string[] = [];
  for (const raw of value.split(':')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry === '~' || entry.startsWith('~/')) paths.push(path.join(home, entry.slice(1)));
    else if (path.isAbsolute(entry)) paths.push(path.resolve(entry));
    else bad.push(entry);
  }
  return { paths, bad };
}

/** Inputs of `maskedPaths`. */
export interface MaskInputs {
  env: NodeJS.ProcessEnv;
  /** The value of the `sandbox_masked_paths` setting, if any. */
  setting?: string;
}

/**
 * The masked paths, as real absolute paths (symlinks resolved; missing paths kept as given),
 * without duplicates. The home directory is `$HOME`, else the account's.
 */
export function maskedPaths(inputs: MaskInputs): string[] {
  const home = inputs.env.HOME && path.isAbsolute(inputs.env.HOME) ? inputs.env.HOME : os.homedir();
  const list = DEFAULT_MASKED_IN_HOME.map((rel) => path.join(home, rel));
  list.push(kolegaHome(inputs.env));
  if (inputs.setting) list.push(...parseMaskedSetting(inputs.setting, home).paths);
  const out = new Set<string>();
  for (const p of list) {
    try {
      out.add(realpathLenient(p));
    } catch {
      out.add(p);
    }
  }
  return [...out];
}

/**
 * The masks that apply given the writable roots: a mask that is a root, or lies inside one only
 * when the root is itself the masked path, is dropped; `rebind` lists the roots that lie strictly
 * inside a mask (they are mounted again on top of it).
 * @param masks real absolute paths (see maskedPaths)
 * @param roots real absolute writable roots
 */
export function applyMasks(masks: string[], roots: string[]): { masks: string[]; rebind: string[] } {
  const kept = masks.filter((m) => !roots.some((r) => r === m));
  const rebind = roots.filter((r) => kept.some((m) => m !== r && isInside(r, m)));
  return { masks: kept, rebind };
}

/** True when `real` is equal to or inside one of `masks` and not inside an unmasking root. */
export function isMasked(real: string, masks: string[], roots: string[]): boolean {
  const { masks: kept, rebind } = applyMasks(masks, roots);
  if (rebind.some((r) => isInside(real, r))) return false;
  return kept.some((m) => isInside(real, m));
}

/**
 * The `sandbox_masked_paths` setting saved in `home`, or undefined when unset or not a string.
 * @throws KolegaError(config) when settings.json is corrupt (see readSettings)
 */
export function maskedSetting(home: string): string | undefined {
  const v = readSettings(home)[MASKED_PATHS_SETTING];
  return typeof v === 'string' ? v : undefined;
}
