/**
 * Heap tuning for `kolega run`. A long answer is a sustained burst of short-lived objects (one
 * parsed event and one output line per delta). V8 answers such a burst by doubling the young
 * generation up to 16 MB semi-spaces, which alone took peak RSS from ~70 MB to ~84 MB at 100,000
 * deltas without making the run faster (README "Performance"). Keeping the semi-space at
 * its initial size bounds that; scavenges stay cheap because almost nothing survives them.
 */

/** Node majors whose V8 is known to have `--semi-space-growth-factor` (others are left alone). */
const KNOWN_NODE_MAJORS = new Set([20, 22, 24]);

/** Stops young-generation growth for this process (best effort; never throws). */
export async function boundYoungGeneration(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (!KNOWN_NODE_MAJORS.has(major)) return;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // tuning only
  }
}
