import { describe, expect, it } from 'vitest';
import { annexViiSections, chosenRelease, craNotificationDraft } from '../../src/release-index/cra.js';

const release = (version: string, scanned = 1) => ({
  product: 'acme-web',
  version,
  bundle_digest: `sha256:${version.replace(/\./g, '').padStart(64, '0')}`,
  location: `/bundles/${version}.tar.gz`,
  created: `2026-0${version.split('.')[1]}-01T00:00:00Z`,
  signed_at: null,
  policy: 'none',
  scanned,
  findings_read: 1,
});
const finding = (version: string, purl: string, status: string, extra: Record<string, unknown> = {}) => ({
  bundle_digest: release(version).bundle_digest,
  finding_id: 'CVE-2021-44228',
  purl,
  severity: 'critical',
  status,
  justification: '',
  fix_versions: '2.17.1',
  status_from: '',
  impact_statement: '',
  action_statement: '',
  known_exploited: 0,
  ...extra,
});
const draft = (findings: Record<string, unknown>[], releases: Record<string, unknown>[]) =>
  craNotificationDraft({ vulnerability: 'CVE-2021-44228', generatedAt: 'now', index: 'i.db', findings, releases });

describe('craNotificationDraft', () => {
  it('gives a release the standing of its finding that claims least, and dates exposure by the first not cleared', () => {
    const d = draft(
      [
        finding('1.1.0', 'pkg:maven/a/log4j-core@2.14.1', 'not_affected'),
        finding('1.1.0', 'pkg:maven/b/log4j-core@2.14.1', 'affected', {
          action_statement: 'upgrade to 2.17.1',
          known_exploited: 1,
        }),
        finding('1.2.0', 'pkg:maven/a/log4j-core@2.14.1', 'none'),
        finding('1.3.0', 'pkg:maven/a/log4j-core@2.17.1', 'fixed', { action_statement: null }),
      ],
      [
        release('1.1.0'),
        release('1.2.0'),
        release('1.3.0'),
        release('1.4.0'),
        release('1.5.0', 0),
        { ...release('1.6.0'), findings_read: 0 },
        // Indexed before schema 2 recorded whether findings were read: not known, never "not found".
        { ...release('1.7.0'), findings_read: null },
      ],
    );
    expect(d.releases.map((r) => [r.version, r.assessment])).toEqual([
      ['1.1.0', 'affected'],
      ['1.2.0', 'no_disposition'],
      ['1.3.0', 'fixed'],
      ['1.4.0', 'not_found_by_scans'],
      ['1.5.0', 'not_scanned'],
      ['1.6.0', 'findings_not_read'],
      ['1.7.0', 'findings_not_read'],
    ]);
    expect(d.summary).toMatchObject({
      releases: 7,
      knownExploited: 'listed',
      exposedSince: '2026-01-01T00:00:00Z',
      unknownSince: '2026-05-01T00:00:00Z',
      // Of the packages of the findings not cleared (the not_affected and the fixed one need none), each named.
      fixVersions: ['pkg:maven/a/log4j-core 2.17.1', 'pkg:maven/b/log4j-core 2.17.1'],
      mitigations: ['upgrade to 2.17.1'],
    });
    // A row indexed under schema 1 says its statements were not recorded, rather than that there were none.
    expect(d.releases[2]?.findings[0]?.statementsRecorded).toBe(false);
    expect(d.releases[0]?.findings[0]?.statementsRecorded).toBe(true);
    expect(d.draft).toBe(true);
  });

  it('claims no exposure where nothing shows one, and KEV status only where every such bundle has a catalog', () => {
    const d = draft([finding('1.1.0', 'pkg:maven/a/log4j-core@2.14.1', 'not_affected')], [release('1.1.0')]);
    expect(d.summary.exposedSince).toBeUndefined();
    expect(d.summary.knownExploited).toBe('unknown');
    const withCatalog = draft(
      [finding('1.1.0', 'pkg:maven/a/log4j-core@2.14.1', 'not_affected')],
      [{ ...release('1.1.0'), kev_catalogs: 1 }],
    );
    expect(withCatalog.summary.knownExploited).toBe('not-listed');
    const v1 = draft(
      [finding('1.1.0', 'pkg:maven/a/log4j-core@2.14.1', 'affected', { known_exploited: null })],
      [{ ...release('1.1.0'), kev_catalogs: 1 }],
    );
    expect(v1.summary.knownExploited).toBe('unknown');
    expect(d.summary.byAssessment.not_affected).toBe(1);
  });
});

describe('a notification draft of a product the index does not hold', () => {
  it('is refused naming --product (CRA_PRODUCT_NOT_INDEXED), never an empty draft that reads as all clear', () => {
    const of = (product: string) => () =>
      craNotificationDraft({
        vulnerability: 'CVE-1',
        product,
        generatedAt: 'now',
        index: 'i.db',
        findings: [],
        releases: [],
      });
    expect(of('App')).toThrow(
      expect.objectContaining({ code: 'CRA_PRODUCT_NOT_INDEXED', message: expect.stringMatching(/^--product "App"/) }),
    );
    // Without --product, an index of no release drafts nothing to say, and says so in the draft itself.
    expect(draft([], []).releases).toEqual([]);
  });
});

describe('the notification draft and bundles that did not verify', () => {
  it('lists them as considered nowhere, in JSON and in Markdown', async () => {
    const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [],
      releases: [release('1.1.0')],
      rejected: [
        { location: '/bundles/1.2.0.tar.gz', source: '/bundles', reason: 'did not verify: SIGNATURE_MISSING' },
      ],
    });
    expect(d.notVerified).toEqual([{ location: '/bundles/1.2.0.tar.gz', reason: 'did not verify: SIGNATURE_MISSING' }]);
    const md = renderCraNotificationMarkdown(d);
    expect(md).toContain(
      '- Bundles that did not verify, so nothing they say is considered here: \n  - `/bundles/1.2.0.tar.gz`: ',
    );
    expect(md).toMatch(/SIGNATURE\\?_MISSING/);
    expect(draft([], [release('1.1.0')]).notVerified).toEqual([]);
  });
});

describe('annexViiSections', () => {
  it('lists each entry under the points its kind documents, and marks the points nothing documents', () => {
    const { sections, other } = annexViiSections([
      { path: 'sbom/a.cdx.json', kind: 'sbom' },
      { path: 'tests/junit.xml', kind: 'junit' },
      { path: 'notes.txt', kind: 'file' },
    ]);
    const at = (point: string) => sections.find((s) => s.point === point);
    expect(at('2(b)')?.files.map((f) => f.path)).toEqual(['sbom/a.cdx.json']);
    expect(at('8')?.files.map((f) => f.path)).toEqual(['sbom/a.cdx.json']);
    expect(at('6')?.files.map((f) => f.path)).toEqual(['tests/junit.xml']);
    expect(at('3')?.toComplete).toBe(true);
    expect(at('2(b)')?.toComplete).toBe(false);
    // An SBOM alone does not document vulnerability handling: the parts it does not show are named, to complete.
    expect(at('2(b)')?.notShown).toEqual([
      'the vulnerabilities found (a vulnerability scan)',
      'how each is handled (VEX statements)',
    ]);
    expect(at('6')?.notShown).toEqual([]);
    expect(other).toEqual([{ path: 'notes.txt', kind: 'file' }]);
  });

  it('lists an entry that holds nothing with why, and does not count it as documenting its point', () => {
    const { sections } = annexViiSections([
      { path: 'tests/empty.xml', kind: 'junit', holdsNothing: 'a test report without tests' },
      { path: 'sbom/a.cdx.json', kind: 'sbom' },
      { path: 'scans/empty.json', kind: 'scan' },
      { path: 'vex/none.json', kind: 'vex', holdsNothing: 'a VEX document without statements' },
    ]);
    const at = (point: string) => sections.find((s) => s.point === point);
    expect(at('6')).toMatchObject({
      files: [{ path: 'tests/empty.xml', kind: 'junit', holdsNothing: 'a test report without tests' }],
      toComplete: true,
      notShown: [],
    });
    // The VEX document without statements shows no handling; the SBOM and the scan show their parts.
    expect(at('2(b)')?.toComplete).toBe(false);
    expect(at('2(b)')?.notShown).toEqual(['how each is handled (VEX statements)']);
  });
});

describe('chosenRelease', () => {
  it('is the one indexed bundle of the release, or says which to choose', () => {
    const rows = [release('1.1.0'), { ...release('1.1.0'), bundle_digest: 'sha256:other' }, release('1.2.0')];
    const want = (version: string, digest?: string) =>
      chosenRelease(rows, { product: 'acme-web', version, index: 'i.db', ...(digest ? { digest } : {}) });
    expect(want('1.2.0').digest).toBe(release('1.2.0').bundle_digest);
    expect(errorCode(() => want('1.1.0'))).toBe('CRA_RELEASE_AMBIGUOUS');
    expect(want('1.1.0', 'sha256:other').digest).toBe('sha256:other');
    expect(errorCode(() => want('9.9.9'))).toBe('CRA_RELEASE_NOT_INDEXED');
  });
});

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('shownDb', () => {
  it('shows a PostgreSQL URL without any password, in its user part or its query', async () => {
    const { shownDb } = await import('../../src/transport/release-index-store.js');
    for (const url of [
      'postgres://alice:hunter2@db/evidence',
      'postgres://alice@db/evidence?password=hunter2',
      'postgres://alice@db/evidence?sslpassword=hunter2&sslmode=require',
    ])
      expect(shownDb(url)).not.toContain('hunter2');
    expect(shownDb('postgres://alice@db/evidence?sslmode=require')).toContain('sslmode=require');
  });
});

describe('a release that ships a component a finding names, its own scan not reporting it', () => {
  it('is not read as unaffected: counted as not shown otherwise, and dates the exposure', () => {
    const purl = 'pkg:maven/a/log4j-core@2.14.1';
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [finding('1.6.0', purl, 'none')],
      releases: [release('1.1.0'), release('1.3.0', 0), release('1.5.0'), release('1.6.0')],
      shipped: [
        { bundle_digest: release('1.1.0').bundle_digest, purl, named_by: 'acme-web 1.6.0', scan: 'not-reported' },
        { bundle_digest: release('1.3.0').bundle_digest, purl, named_by: 'acme-web 1.6.0', scan: 'not-scanned' },
      ],
    });
    expect(d.releases.map((r) => [r.version, r.assessment])).toEqual([
      ['1.1.0', 'ships_named_component'],
      ['1.3.0', 'ships_named_component'],
      ['1.5.0', 'not_found_by_scans'],
      ['1.6.0', 'no_disposition'],
    ]);
    expect(d.releases[0]?.componentsNamed).toEqual([{ purl, namedBy: 'acme-web 1.6.0', scan: 'not-reported' }]);
    expect(d.summary.byAssessment).toMatchObject({ ships_named_component: 2, not_found_by_scans: 1, not_scanned: 0 });
    // The first release that ships it, not the first whose scan reported it.
    expect(d.summary.exposedSince).toBe('2026-01-01T00:00:00Z');
    expect(d.summary.unknownSince).toBeUndefined();
  });

  it('with findings of its own that clear another component, the one that claims least decides', () => {
    const d = craNotificationDraft({
      vulnerability: 'CVE-2021-44228',
      generatedAt: 'now',
      index: 'i.db',
      findings: [finding('1.1.0', 'pkg:maven/b/log4j-core@2.14.1', 'not_affected')],
      releases: [release('1.1.0')],
      shipped: [
        {
          bundle_digest: release('1.1.0').bundle_digest,
          purl: 'pkg:maven/a/log4j-core@2.14.1',
          named_by: 'other 2.0',
          scan: 'not-reported',
        },
      ],
    });
    expect(d.releases[0]?.assessment).toBe('ships_named_component');
  });
});
