import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OciError } from '../../../src/transport/oci/errors.js';
import { formatReference, parseReference, type OciReference } from '../../../src/transport/oci/reference.js';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

function refused(text: string): OciError {
  try {
    parseReference(text);
  } catch (err) {
    expect(err).toBeInstanceOf(OciError);
    expect((err as OciError).code).toBe('REFERENCE_INVALID');
    return err as OciError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseReference', () => {
  it.each<[string, OciReference]>([
    ['oci://localhost:5000/evidence:1.0', { registry: 'localhost:5000', repository: 'evidence', tag: '1.0' }],
    ['localhost/evidence', { registry: 'localhost', repository: 'evidence' }],
    ['registry.example.com/team/app', { registry: 'registry.example.com', repository: 'team/app' }],
    [
      'oci://127.0.0.1:5000/a-b__c.d/e_f--g:v1.2.3-rc.1',
      { registry: '127.0.0.1:5000', repository: 'a-b__c.d/e_f--g', tag: 'v1.2.3-rc.1' },
    ],
    [`oci://ghcr.io/acme/web@${DIGEST}`, { registry: 'ghcr.io', repository: 'acme/web', digest: DIGEST }],
    [
      `oci://ghcr.io/acme/web:1.4.2@${DIGEST}`,
      { registry: 'ghcr.io', repository: 'acme/web', tag: '1.4.2', digest: DIGEST },
    ],
    ['oci://[::1]:5000/repo:_tag', { registry: '[::1]:5000', repository: 'repo', tag: '_tag' }],
    ['Registry.Example.COM/repo', { registry: 'Registry.Example.COM', repository: 'repo' }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['oci://', 'registry is empty'],
    ['oci://registry.example.com', 'repository is missing'],
    ['oci://registry.example.com/', 'repository is missing'],
    ['oci://registry.example.com/Team/App', 'lowercase'],
    ['oci://registry.example.com/a/../b', '".."'],
    ['oci://registry.example.com/a/./b', '"."'],
    ['oci://registry.example.com/a//b', 'empty path component'],
    ['oci://registry.example.com/a/', 'empty path component'],
    ['oci://registry.example.com/-a', '"-a"'],
    ['oci://registry.example.com/a_-b', '"a_-b"'],
    ['oci://registry.example.com/a b', 'whitespace'],
    ['oci://registry.example.com/ab\n', 'whitespace'],
    ['oci://registry.example.com/a:', 'tag after ":" is empty'],
    ['oci://registry.example.com/a:.tag', 'tag ".tag"'],
    [`oci://registry.example.com/a:${'t'.repeat(129)}`, 'at most 128'],
    ['oci://registry.example.com/a@sha256:abc', 'not valid'],
    [`oci://registry.example.com/a@sha256:${'A'.repeat(64)}`, 'not valid'],
    [`oci://registry.example.com/a@sha512:${'a'.repeat(128)}`, 'only sha256'],
    [`oci://registry.example.com/a@${DIGEST}@${DIGEST}`, 'more than one'],
    ['oci://registry.example.com/a:b/c', 'inside the repository'],
    ['https://registry.example.com/a', 'only the oci:// scheme'],
    ['myteam/app', 'not a registry host'],
    ['oci://registry_example/app', 'not a valid host'],
    ['oci://registry.example.com:99999/app', 'out of range'],
    ['oci://-bad.example.com/app', 'not a valid host'],
    [`oci://r.io/${'a'.repeat(260)}`, 'longer than 255'],
    [`oci://r.io/${'a/'.repeat(600)}a`, 'longer than 1024'],
  ])('refuses %j (%s)', (text, why) => {
    expect(refused(text).message).toContain(why);
  });

  it.each([
    'oci://alice:hunter2-secret@registry.example.com/team/app:1.0',
    'alice:hunter2-secret@registry.example.com/team/app',
    'oci://alice:hunter2/secret@registry.example.com/team/app',
    'oci://alice:hun@ter2-secret@registry.example.com/team/app',
    'oci://alice:hunter2-secret@registry.example.com',
    `oci://alice:hunter2-secret@registry.example.com/app@${DIGEST}`,
  ])('refuses credentials in %s without echoing them', (text) => {
    const err = refused(text);
    expect(err.message).toContain('credentials');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('alice');
    expect(err.message).not.toContain('secret');
  });

  it('only ever throws REFERENCE_INVALID, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseReference(text);
        } catch (err) {
          return err instanceof OciError && err.code === 'REFERENCE_INVALID';
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatReference', () => {
  it('writes oci:// references that parse back to the same value', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,6}){0,2}$/);
    const reference = fc.record(
      {
        registry: fc.constantFrom('localhost', 'localhost:5000', 'registry.example.com', '127.0.0.1:5000', '[::1]:443'),
        repository: fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join('/')),
        tag: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
        digest: fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
      },
      { requiredKeys: ['registry', 'repository'] },
    );
    fc.assert(
      fc.property(reference, (ref) => {
        expect(parseReference(formatReference(ref))).toEqual(ref);
        expect(parseReference(formatReference(ref, { scheme: false }))).toEqual(ref);
      }),
    );
  });

  it('formats tag and digest', () => {
    expect(formatReference({ registry: 'r.io', repository: 'a/b', tag: 't', digest: DIGEST })).toBe(
      `oci://r.io/a/b:t@${DIGEST}`,
    );
    expect(formatReference({ registry: 'r.io', repository: 'a' }, { scheme: false })).toBe('r.io/a');
  });
});
