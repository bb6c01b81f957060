import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest } from '../../src/core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import {
  standardStatements,
  type StandardForm,
  type StandardStatement,
} from '../../src/formats/standard-statements.js';
import { bundleLine } from '../../src/signer/sign-manifest.js';
import { keySigner, loadSigningKey } from '../../src/signer/sigstore.js';
import { statementBytes } from '../../src/signer/statement.js';
import { runCli } from './io.js';
import { readMembers, writeMembers } from './members.js';

/**
 * Bundles whose standard statements are re-signed in another form (the legacy forms an older `evidence` signed, or a
 * tampered one), key-signed and offline: made by `collect --sign --key` in a folder, the lines signed again with the
 * bundle's own key.
 */
export const STANDARD = 'attestations/standard.sigstore.jsonl';

export type Members = Awaited<ReturnType<typeof readMembers>>;

export interface StandardReport {
  ok: boolean;
  checks: { id: string; ok: boolean; code?: string; skipped?: boolean; message?: string }[];
  standard?: { label: string; predicateType: string; legacyScanTimes?: true; legacyXmlText?: true }[];
}

/** `collect … --sign --key key.pem -q` in `dir` (a fresh Ed25519 key there, pub.pem beside it) into b.tar.gz. */
export async function keySignedBundle(dir: string, inputs: string[]): Promise<Members> {
  const pair = generateKeyPairSync('ed25519');
  await writeFile(join(dir, 'key.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'pub.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  await writeFile(join(dir, 'app.tgz'), 'artifact');
  const c = await runCli(
    [
      ...'collect -o b.tar.gz --name app --version 1.0.0'.split(' '),
      ...inputs,
      ...'--subject app.tgz --sign --key key.pem -q'.split(' '),
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: '1790000000' } },
  );
  expect(c.code, c.stderr).toBe(0);
  return readMembers(join(dir, 'b.tar.gz'));
}

/** `verify FILE --key pub.pem --json` in `dir`. */
export async function verifyKeyed(dir: string, bundle: string): Promise<{ code: number; report: StandardReport }> {
  const r = await runCli(['verify', bundle, '--key', 'pub.pem', '--json'], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as StandardReport };
}

/** The in-toto statements of a standard attestations member, in order. */
export const payloads = (body: Buffer | undefined) =>
  (body?.toString('utf8') ?? '')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(Buffer.from(JSON.parse(l).dsseEnvelope.payload, 'base64').toString('utf8')));

/** The bundle's members with its standard statements replaced by `statements`, signed with dir's key.pem. */
export async function resigned(
  dir: string,
  members: Members,
  file: string,
  statements: StandardStatement['statement'][],
): Promise<void> {
  const signer = keySigner(await loadSigningKey(join(dir, 'key.pem')));
  const lines: Buffer[] = [];
  for (const s of statements)
    lines.push(bundleLine(await signer.signDsse(statementBytes(s), IN_TOTO_PAYLOAD_TYPE)).line);
  await writeMembers(join(dir, file), [
    ...members.filter((m) => m.name !== STANDARD),
    { name: STANDARD, body: Buffer.concat(lines) },
  ]);
}

/** The statements of the bundle's own blobs, in a form. */
export function made(members: Members, form?: StandardForm): StandardStatement[] {
  const manifestBytes = members.find((m) => m.name === 'manifest.json')?.body as Buffer;
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  const blob = (hex: string) => members.find((m) => m.name === `blobs/sha256/${hex}`)?.body;
  return standardStatements(manifest, sha256Hex(manifestBytes), blob, undefined, form).statements;
}

/** The codes of the failed `standard` checks. */
export const standardCodes = (r: StandardReport): string[] =>
  r.checks.filter((c) => c.id === 'standard' && !c.ok).map((c) => c.code ?? '');

/** Each file in `dir` fails verification on its standard statements: exit 1, STANDARD_MISMATCH, none listed. */
export async function expectStandardMismatch(dir: string, files: string[]): Promise<void> {
  for (const file of files) {
    const v = await verifyKeyed(dir, file);
    expect(v.code, file).toBe(1);
    expect(standardCodes(v.report), file).toContain('STANDARD_MISMATCH');
    expect(v.report.standard, file).toBeUndefined();
  }
}
