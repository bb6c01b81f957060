/**
 * A key-signed bundle without witnesses is made without sigstore-js's signing package (issue 28: loading it, with its
 * HTTP stack, took about a third of a second of every `collect --sign --key`). It must be the bundle that package's
 * DSSE builder makes: with an Ed25519 key, whose signatures are deterministic, byte for byte.
 */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { describe, expect, it } from 'vitest';
import { keySigner, loadSigningKey } from '../../src/signer/sigstore.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

describe('a key-signed bundle without witnesses', () => {
  it('is what sigstore-js\u2019s DSSE builder makes, byte for byte', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = join(await tmp(), 'key.pem');
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const key = await loadSigningKey(file);
    const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
    const type = 'application/vnd.in-toto+json';
    const ours = await keySigner(key).signDsse(payload, type);
    const builder = new DSSEBundleBuilder({
      signer: {
        sign: (data: Buffer) =>
          Promise.resolve({
            signature: cryptoSign(null, data, key.privateKey),
            key: { $case: 'publicKey' as const, publicKey: key.publicKeyPem, hint: key.hint },
          }),
      },
      witnesses: [],
    });
    const theirs = bundleToJSON(await builder.create({ data: payload, type }));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });
});
