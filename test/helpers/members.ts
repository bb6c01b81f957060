import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { gzip, member, tarOf } from './craft.js';

export interface BundleMember {
  name: string;
  body: Buffer;
}

/** The members of a bundle file, in order, with their contents. */
export async function readMembers(file: string): Promise<BundleMember[]> {
  const out: BundleMember[] = [];
  const ex = tar.extract();
  Readable.from([gunzipSync(await readFile(file))]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ name: e.header.name, body: Buffer.concat(chunks) });
  }
  return out;
}

/** Writes `list` back as a bundle (plain ustar members, gzip), e.g. after tampering. */
export async function writeMembers(file: string, list: BundleMember[]): Promise<void> {
  await writeFile(file, gzip(tarOf(list.map((m) => member(m.name, m.body)))));
}
