import { describe, expect, it } from 'vitest';
import {
  bundleStem,
  chooseBundleAsset,
  detachedMismatch,
  detachedNames,
  envelopesMatch,
  firstLineIs,
  isBundleAsset,
  isPlainFileName,
  restIs,
  VERIFIER_ASSET,
} from '../../src/core/release-assets.js';

const assets = (...names: string[]): { name: string }[] => names.map((name) => ({ name }));
const names = (list: { name: string }[]): string[] => list.map((a) => a.name);

describe('release asset names', () => {
  it('a bundle is NAME.tar.gz or NAME.tgz; the files beside it are named from NAME', () => {
    expect(isBundleAsset('web.tar.gz')).toBe(true);
    expect(isBundleAsset('web.tgz')).toBe(true);
    expect(isBundleAsset('web.tar')).toBe(false);
    expect(isBundleAsset('web.tar.gz.sigstore.json')).toBe(false);
    expect(bundleStem('web-1.0.evidence.tar.gz')).toBe('web-1.0.evidence');
    expect(bundleStem('web.tgz')).toBe('web');
    expect(bundleStem('web')).toBe('web');
    expect(detachedNames('web')).toEqual({
      sigstore: 'web.sigstore.json',
      intoto: 'web.intoto.jsonl',
      sigstoreJsonl: 'web.sigstore.jsonl',
    });
    expect(VERIFIER_ASSET).toBe('evidence-verify.mjs');
  });

  it('only a plain file name may become a path', () => {
    expect(isPlainFileName('web.tar.gz')).toBe(true);
    for (const bad of ['../web.tar.gz', 'a/b', '.', '..', '.hidden', 'a\\b', '/abs'])
      expect(isPlainFileName(bad), bad).toBe(false);
  });
});

describe('chooseBundleAsset', () => {
  const release = assets('web.tar.gz', 'web.sigstore.json', 'web.intoto.jsonl', 'web.sigstore.jsonl', 'notes.txt');

  it('finds the one bundle and the files beside it', () => {
    const choice = chooseBundleAsset(release);
    expect(choice).toEqual({
      state: 'found',
      bundle: { name: 'web.tar.gz' },
      stem: 'web',
      sigstore: { name: 'web.sigstore.json' },
      intoto: { name: 'web.intoto.jsonl' },
      sigstoreJsonl: { name: 'web.sigstore.jsonl' },
    });
    expect(chooseBundleAsset(release, { among: 'all' })).toEqual(choice);
  });

  it('no bundle, or none of the name given, is missing', () => {
    expect(chooseBundleAsset(assets('notes.txt'))).toEqual({ state: 'missing' });
    expect(chooseBundleAsset(assets('notes.txt'), { among: 'all' })).toEqual({ state: 'missing' });
    expect(chooseBundleAsset(release, { name: 'other' })).toEqual({ state: 'missing' });
    expect(chooseBundleAsset(release, { name: 'other.tar.gz', among: 'all' })).toEqual({ state: 'missing' });
  });

  it('a name is matched by its stem, with or without the ending', () => {
    const two = assets('a.tar.gz', 'a.sigstore.json', 'b.tgz', 'b.sigstore.json');
    for (const name of ['b', 'b.tgz', 'b.tar.gz']) {
      const choice = chooseBundleAsset(two, { name });
      expect(choice.state === 'found' && choice.bundle.name, name).toBe('b.tgz');
      expect(chooseBundleAsset(two, { name, among: 'all' })).toEqual(choice);
    }
  });

  it('several signed bundles are ambiguous without a name, under both rules', () => {
    const two = assets('a.tar.gz', 'a.sigstore.json', 'b.tar.gz', 'b.sigstore.json');
    const signed = chooseBundleAsset(two);
    expect(signed.state).toBe('ambiguous');
    expect(signed.state === 'ambiguous' && names(signed.bundles)).toEqual(['a.tar.gz', 'b.tar.gz']);
    expect(chooseBundleAsset(two, { among: 'all' }).state).toBe('ambiguous');
  });

  it('signed (fetch): unsigned bundles do not compete without a name, and alone are missing', () => {
    const withSource = assets('source.tar.gz', 'web.tar.gz', 'web.sigstore.json');
    const choice = chooseBundleAsset(withSource);
    expect(choice.state === 'found' && choice.bundle.name).toBe('web.tar.gz');
    expect(chooseBundleAsset(assets('web.tar.gz'))).toEqual({ state: 'missing' });
  });

  it('all (audit): every bundle competes, whatever lies beside it, and one alone is found without its signature file', () => {
    const withSource = assets('source.tar.gz', 'web.tar.gz', 'web.sigstore.json');
    const choice = chooseBundleAsset(withSource, { among: 'all' });
    expect(choice.state === 'ambiguous' && names(choice.bundles)).toEqual(['source.tar.gz', 'web.tar.gz']);
    expect(chooseBundleAsset(assets('web.tar.gz'), { among: 'all' })).toEqual({
      state: 'found',
      bundle: { name: 'web.tar.gz' },
      stem: 'web',
    });
  });

  it('a name picks an unsigned bundle too (its missing NAME.sigstore.json is for the caller to refuse)', () => {
    const choice = chooseBundleAsset(assets('web.tar.gz', 'other.tar.gz', 'other.sigstore.json'), { name: 'web' });
    expect(choice).toEqual({ state: 'found', bundle: { name: 'web.tar.gz' }, stem: 'web' });
  });

  it('two bundles of one stem: signed takes the first named, all is ambiguous', () => {
    const dup = assets('web.tar.gz', 'web.tgz', 'web.sigstore.json');
    const first = chooseBundleAsset(dup, { name: 'web' });
    expect(first.state === 'found' && first.bundle.name).toBe('web.tar.gz');
    expect(chooseBundleAsset(dup, { name: 'web', among: 'all' }).state).toBe('ambiguous');
    expect(chooseBundleAsset(dup).state).toBe('ambiguous');
  });

  it('keeps the caller’s asset objects', () => {
    const listed = [
      { name: 'web.tar.gz', id: 1 },
      { name: 'web.sigstore.json', id: 2 },
    ];
    const choice = chooseBundleAsset(listed);
    expect(choice.state === 'found' && choice.bundle).toBe(listed[0]);
    expect(choice.state === 'found' && choice.sigstore).toBe(listed[1]);
  });
});

describe('the files beside the bundle match it', () => {
  const json = Buffer.from('{"a":1}\n');

  it('firstLineIs: the first line is the other file, its trailing newline aside', () => {
    expect(firstLineIs(Buffer.from('{"a":1}\n{"b":2}\n'), json)).toBe(true);
    expect(firstLineIs(Buffer.from('{"a":1}'), Buffer.from('{"a":1}'))).toBe(true);
    expect(firstLineIs(Buffer.from('{"a": 1}\n{"b":2}\n'), json)).toBe(false);
    expect(firstLineIs(Buffer.from(''), json)).toBe(false);
  });

  it('restIs: what follows the first line, byte for byte', () => {
    expect(restIs(Buffer.from('x\n{"b":2}\n'), Buffer.from('{"b":2}\n'))).toBe(true);
    expect(restIs(Buffer.from('x'), Buffer.alloc(0))).toBe(true);
    expect(restIs(Buffer.from('x\n'), Buffer.alloc(0))).toBe(true);
    expect(restIs(Buffer.from('x\n{"b":2}\n{"c":3}\n'), Buffer.from('{"b":2}\n'))).toBe(false);
  });

  it('envelopesMatch: one line, the DSSE envelope compared canonically', () => {
    const envelope = { payload: 'e30=', payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'AA==' }] };
    const bundle = JSON.stringify({ mediaType: 'x', dsseEnvelope: envelope });
    const reordered = JSON.stringify({
      signatures: envelope.signatures,
      payloadType: envelope.payloadType,
      payload: 'e30=',
    });
    expect(envelopesMatch(bundle, `${reordered}\n`)).toBe(true);
    expect(envelopesMatch(bundle, `\n${JSON.stringify(envelope)}\n\n`)).toBe(true);
    expect(envelopesMatch(bundle, `${JSON.stringify({ ...envelope, payload: 'e31=' })}\n`)).toBe(false);
    expect(envelopesMatch(bundle, `${JSON.stringify(envelope)}\n${JSON.stringify(envelope)}\n`)).toBe(false);
    expect(envelopesMatch(JSON.stringify({ mediaType: 'x' }), JSON.stringify(envelope))).toBe(false);
    expect(envelopesMatch('not json', JSON.stringify(envelope))).toBe(false);
    expect(envelopesMatch(bundle, 'not json')).toBe(false);
  });

  it('detachedMismatch: each file beside a bundle is what it holds; an unsigned bundle has nothing beside it', () => {
    const envelope = { payload: 'e30=', payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'AA==' }] };
    const attestation = Buffer.from(`${JSON.stringify({ mediaType: 'x', dsseEnvelope: envelope })}\n`);
    const standard = Buffer.from('{"s":1}\n');
    const inside = { attestation, standard };
    const own = {
      sigstore: attestation,
      intoto: Buffer.from(`${JSON.stringify(envelope)}\n`),
      sigstoreJsonl: Buffer.concat([attestation, standard]),
    };
    expect(detachedMismatch(inside, own)).toBeUndefined();
    expect(detachedMismatch(inside, {})).toBeUndefined();
    const other = Buffer.from(`${JSON.stringify({ ...envelope, payload: 'e31=' })}\n`);
    const file = (beside: Parameters<typeof detachedMismatch>[1]): string | undefined =>
      detachedMismatch(inside, beside)?.file;
    expect(file({ ...own, intoto: other })).toBe('intoto');
    expect(file({ ...own, sigstore: Buffer.from(`${attestation.toString().trimEnd()} \n`) })).toBe('sigstore');
    expect(file({ ...own, sigstoreJsonl: attestation })).toBe('sigstoreJsonl');
    expect(file({ ...own, sigstoreJsonl: Buffer.concat([standard, attestation]) })).toBe('sigstoreJsonl');
    expect(detachedMismatch({}, {})).toBeUndefined();
    expect(detachedMismatch({}, { intoto: own.intoto })?.file).toBe('intoto');
  });
});
