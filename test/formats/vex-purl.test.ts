import { describe, expect, it } from 'vitest';
import { parsePurl, purlMatches } from '../../src/formats/purl.js';

describe('parsePurl', () => {
  it('reads a purl, decoded and normalised by its type', () => {
    expect(parsePurl('pkg:pypi/Django_Foo@2.0')).toMatchObject({ type: 'pypi', name: 'django-foo', version: '2.0' });
    expect(parsePurl('pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible')).toMatchObject({
      namespace: 'github.com/docker',
      name: 'distribution',
      version: 'v2.7.1+incompatible',
    });
    expect(parsePurl('pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie')?.qualifiers).toEqual({
      arch: 'i386',
      distro: 'jessie',
    });
  });

  it('never throws: undefined for what is not a purl', () => {
    // packageurl-js 2.0.1 throws a ReferenceError of its own for a golang version 'v' + non-semver: caught too.
    for (const s of [
      '',
      'notapurl',
      'pkg:',
      'pkg:npm/',
      'https://example.com/x',
      'pkg:npm/%zz@1',
      'pkg:golang/example.com/x@v1',
    ])
      expect(parsePurl(s), s).toBeUndefined();
    expect(parsePurl(42 as unknown as string)).toBeUndefined();
    expect(parsePurl(undefined as unknown as string)).toBeUndefined();
  });
});

describe('purlMatches', () => {
  it('compares type lower-case, and namespace and name after the type normalisation', () => {
    expect(purlMatches('pkg:PyPI/Django_Foo@2.0', 'pkg:pypi/django-foo@2.0')).toBe(true);
    expect(purlMatches('pkg:npm/%40Angular/Core@1.0.0', 'pkg:npm/@angular/core@1.0.0')).toBe(true);
    expect(purlMatches('pkg:github/Package-URL/Purl-Spec', 'pkg:github/package-url/purl-spec@244fd47')).toBe(true);
    expect(purlMatches('pkg:npm/left-pad@1.3.0', 'pkg:npm/right-pad@1.3.0')).toBe(false);
    expect(purlMatches('pkg:npm/left-pad@1.3.0', 'pkg:pypi/left-pad@1.3.0')).toBe(false);
    expect(purlMatches('pkg:npm/%40a/x@1', 'pkg:npm/%40b/x@1')).toBe(false);
    expect(purlMatches('pkg:npm/%40a/x@1', 'pkg:npm/x@1')).toBe(false);
    // Maven names are case-sensitive in the specification: not folded.
    expect(purlMatches('pkg:maven/org.apache/Foo@1', 'pkg:maven/org.apache/foo@1')).toBe(false);
  });

  it('covers every version when the statement gives none; else the same version once decoded', () => {
    expect(purlMatches('pkg:npm/lodash', 'pkg:npm/lodash@4.17.20')).toBe(true);
    expect(purlMatches('pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.21')).toBe(false);
    expect(purlMatches('pkg:npm/lodash@4.17.20', 'pkg:npm/lodash')).toBe(false);
    expect(
      purlMatches(
        'pkg:golang/github.com/docker/distribution@v2.7.1+incompatible',
        'pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible',
      ),
    ).toBe(true);
    expect(purlMatches('pkg:pypi/urllib3@1.0', 'pkg:pypi/urllib3@1.0.0')).toBe(false);
  });

  it('asks for every qualifier the statement gives, with the same value', () => {
    const s = 'pkg:deb/debian/openssl@3.0.7?arch=amd64';
    expect(purlMatches(s, 'pkg:deb/debian/openssl@3.0.7?arch=amd64&distro=debian-12')).toBe(true);
    expect(purlMatches(s, 'pkg:deb/debian/openssl@3.0.7?distro=debian-12&arch=amd64')).toBe(true);
    expect(purlMatches(s, 'pkg:deb/debian/openssl@3.0.7?arch=arm64')).toBe(false);
    expect(purlMatches(s, 'pkg:deb/debian/openssl@3.0.7')).toBe(false);
    expect(purlMatches('pkg:deb/debian/openssl@3.0.7', 'pkg:deb/debian/openssl@3.0.7?arch=arm64')).toBe(true);
    expect(
      purlMatches(
        'pkg:oci/web?repository_url=ghcr.io%2Facme%2Fweb',
        'pkg:oci/web@sha256%3Aab?repository_url=ghcr.io/acme/web',
      ),
    ).toBe(true);
  });

  it('asks for the subpath when the statement gives one', () => {
    expect(purlMatches('pkg:golang/example.com/mono#tools/cli', 'pkg:golang/example.com/mono@v1.0.0#tools/cli')).toBe(
      true,
    );
    expect(purlMatches('pkg:golang/example.com/mono#tools/cli', 'pkg:golang/example.com/mono@v1.0.0#tools/gen')).toBe(
      false,
    );
    expect(purlMatches('pkg:golang/example.com/mono#tools/cli', 'pkg:golang/example.com/mono@v1.0.0')).toBe(false);
    expect(purlMatches('pkg:golang/example.com/mono', 'pkg:golang/example.com/mono@v1.0.0#tools/cli')).toBe(true);
  });

  it('never matches what does not parse', () => {
    expect(purlMatches('notapurl', 'notapurl')).toBe(false);
    expect(purlMatches('pkg:npm/lodash', 'lodash@4.17.20')).toBe(false);
    expect(purlMatches('cpe:2.3:a:lodash:lodash:4.17.20', 'pkg:npm/lodash@4.17.20')).toBe(false);
  });
});
