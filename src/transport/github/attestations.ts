import { parseJsonStrict } from '../../core/strict-json.js';
import { bundleLines, dsseContent } from '../../formats/intoto.js';
import { GitHubError } from './errors.js';
import type { ReleasesClient } from './releases.js';

/** Each line of NAME.sigstore.jsonl (`bytes`, named `name`), posted to GitHub's attestations API, in order. */
export async function recordAttestations(
  client: ReleasesClient,
  name: string,
  bytes: Buffer,
  progress: (m: string) => void,
): Promise<{ id: number; predicateType?: string }[]> {
  const lines = bundleLines(bytes);
  const out: { id: number; predicateType?: string }[] = [];
  for (const [i, line] of lines.entries()) {
    let bundle: unknown;
    try {
      bundle = parseJsonStrict(line);
    } catch (e) {
      throw new GitHubError(
        'ATTACH_INPUT_INVALID',
        `${name}: line ${i + 1} is not valid JSON (${(e as Error).message})`,
      );
    }
    const predicateType = dsseContent(line)?.predicateType;
    progress(`recording attestation ${i + 1} of ${lines.length}${predicateType ? ` (${predicateType})` : ''}`);
    const { id } = await client.createAttestation(bundle);
    out.push({ id, ...(predicateType ? { predicateType } : {}) });
  }
  return out;
}
