import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/** Input that holds nothing to verify is invalid input (exit 2), whatever its kind of wrong: never a verdict (1). */
describe('verify-attestation: a file that is no Sigstore bundle', () => {
  it.each([
    ['not JSON', 'att.sigstore.json', 'hello', 'ATTESTATION_UNREADABLE'],
    ['JSON, but no Sigstore bundle', 'att.sigstore.json', '{"hello": "world"}', 'ATTESTATION_MALFORMED'],
    [
      'a bundle without its verification material',
      'att.sigstore.json',
      '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AA=="}]}}',
      'ATTESTATION_MALFORMED',
    ],
    ['JSON lines, one of which is no bundle', 'att.sigstore.jsonl', '{"hello": "world"}\n', 'ATTESTATION_MALFORMED'],
  ])('%s: exit 2, naming the file', async (_, file, text, code) => {
    const dir = await tmp();
    await writeFile(join(dir, file), text);
    await writeFile(join(dir, 'app.tgz'), 'the artifact');
    const r = await runCli(['verify-attestation', file, '--artifact', 'app.tgz'], { cwd: dir, env: { HOME: dir } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^evidence: ${file.replace(/\./g, '\\.')}.*\\[${code}\\]\n$`));
  });
});
