import { describe, expect, it } from 'vitest';
import type { Collector } from '../../src/collector/collector.js';
import { collectors } from '../../src/collector/index.js';
import {
  collectorFor,
  dedupe,
  displayPath,
  doraPlan,
  evidencePatterns,
  distinctSubjectNames,
  nameSubjects,
  requirePrometheus,
  requireSomething,
  splitKind,
  subjectName,
  subjectPatterns,
  type PlannedInput,
} from '../../src/collector/plan.js';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('evidencePatterns', () => {
  it('takes the config before the flags, kind by kind, then files, attestations and SLOs', () => {
    const plan = evidencePatterns(
      {
        sbom: ['flag.cdx.json'],
        junit: ['j.xml'],
        terraformPlan: ['plan.json'],
        file: ['notes.md=release-notes', 'plain.txt'],
        attestation: ['a.sigstore.json'],
        slo: ['flag-slo.yaml'],
        sloSnapshot: ['snap.json'],
      },
      { sbom: ['cfg.cdx.json'], files: ['c.txt=doc', { path: 'd.txt', kind: 'other' }], slo: ['cfg-slo.yaml'] },
      '/work',
      '/cfg',
    );
    expect(plan).toEqual([
      { collector: 'sbom', pattern: 'cfg.cdx.json', base: '/cfg' },
      { collector: 'sbom', pattern: 'flag.cdx.json', base: '/work' },
      { collector: 'junit', pattern: 'j.xml', base: '/work' },
      { collector: 'terraform', pattern: 'plan.json', base: '/work' },
      { collector: 'file', pattern: 'c.txt', base: '/cfg', kind: 'doc' },
      { collector: 'file', pattern: 'd.txt', base: '/cfg', kind: 'other' },
      { collector: 'file', pattern: 'notes.md', base: '/work', kind: 'release-notes' },
      { collector: 'file', pattern: 'plain.txt', base: '/work' },
      { collector: 'attestation', pattern: 'a.sigstore.json', base: '/work' },
      // The config's SLO files are made absolute from its folder, then expanded like the flags'.
      { collector: 'slo', pattern: '/cfg/cfg-slo.yaml', base: '/work' },
      { collector: 'slo', pattern: 'flag-slo.yaml', base: '/work' },
      { collector: 'slo-snapshot', pattern: 'snap.json', base: '/work' },
    ]);
  });

  it('is empty with nothing given', () => {
    expect(evidencePatterns({}, undefined, '/w', '/w')).toEqual([]);
  });
});

describe('subjects', () => {
  it('expands the config subjects from its folder, the flags from cwd', () => {
    expect(subjectPatterns({ subject: ['dist/*'] }, { subjects: ['out/app'] }, '/w', '/c')).toEqual([
      { pattern: 'out/app', base: '/c' },
      { pattern: 'dist/*', base: '/w' },
    ]);
  });

  it('names subjects by file name, and files sharing one by their last distinct folders', () => {
    expect(subjectName('/w/dist/app.tgz')).toBe('app.tgz');
    expect(nameSubjects(['/w/linux/app', '/w/darwin/app', '/w/README'])).toEqual([
      { file: '/w/linux/app', name: 'linux/app' },
      { file: '/w/darwin/app', name: 'darwin/app' },
      { file: '/w/README', name: 'README' },
    ]);
  });

  it('takes as many last folders as tell a group apart, across runs of / and \\', () => {
    const files = ['/w/a//x/b/app', '/w\\a\\y\\b\\app', '/w/a/z/b/app/', 'rel/b/app'];
    expect(distinctSubjectNames(files.map((file) => ({ file, name: 'app' }))).map((f) => f.name)).toEqual([
      'x/b/app',
      'y/b/app',
      'z/b/app',
      'rel/b/app',
    ]);
    // Never told apart (the same segments): the file name stays.
    expect(distinctSubjectNames(['/a/app', '/a//app'].map((file) => ({ file, name: 'app' })))).toEqual([
      { file: '/a/app', name: 'app' },
      { file: '/a//app', name: 'app' },
    ]);
  });
});

describe('small decisions', () => {
  it('splits PATH=KIND at the last =, never at the first character', () => {
    expect(splitKind('a.txt=doc')).toEqual({ path: 'a.txt', kind: 'doc' });
    expect(splitKind('a=b.txt=doc')).toEqual({ path: 'a=b.txt', kind: 'doc' });
    expect(splitKind('=odd')).toEqual({ path: '=odd' });
    expect(splitKind('plain')).toEqual({ path: 'plain' });
  });

  it('keeps each (collector, kind, file) once, the first', () => {
    const a: PlannedInput = { collector: 'sbom', file: '/x', label: 'x' };
    const b: PlannedInput = { collector: 'file', file: '/x', label: 'x', kind: 'doc' };
    const c: PlannedInput = { collector: 'file', file: '/x', label: 'again', kind: 'doc' };
    expect(dedupe([a, b, c, { ...a, label: 'dup' }])).toEqual([a, b]);
  });

  it('shows a file relative to cwd when inside it', () => {
    expect(displayPath('/w/a/b.json', '/w')).toBe('a/b.json');
    expect(displayPath('/elsewhere/b.json', '/w')).toBe('/elsewhere/b.json');
    expect(displayPath('/w', '/w')).toBe('/w');
  });

  it('refuses a run with nothing to collect', () => {
    expect(codeOf(() => requireSomething(0, 0, 0))).toBe('NO_EVIDENCE');
    expect(codeOf(() => requireSomething(0, 0, 1))).toBeUndefined();
    expect(codeOf(() => requireSomething(1, 0, 0))).toBeUndefined();
  });

  it('wants a Prometheus for live SLOs only', () => {
    const slo: PlannedInput = { collector: 'slo', file: '/s', label: 's' };
    const snap: PlannedInput = { collector: 'slo-snapshot', file: '/s', label: 's' };
    expect(codeOf(() => requirePrometheus([slo], undefined))).toBe('CONFIG_INVALID');
    expect(codeOf(() => requirePrometheus([slo], 'http://prom'))).toBeUndefined();
    expect(codeOf(() => requirePrometheus([snap], undefined))).toBeUndefined();
  });
});

describe('doraPlan', () => {
  it('resolves paths from cwd, with defaults, and plans the deployments file', () => {
    const asOf = new Date('2026-01-01T00:00:00Z');
    const { options, deployments } = doraPlan({ git: '.', deployments: 'deploys.jsonl' }, '/w', asOf, {});
    expect(options).toEqual({ gitDir: '/w', environment: 'production', windowSeconds: 30 * 86400, asOf, env: {} });
    expect(deployments).toEqual({ collector: 'dora', file: '/w/deploys.jsonl', label: 'deploys.jsonl' });
    const full = doraPlan(
      { git: 'g', deployments: 'd', incidents: 'i.jsonl', environment: 'prod', window: '2w', incidentLabel: 'sev' },
      '/w',
      asOf,
      {},
    ).options;
    expect(full).toMatchObject({ incidents: '/w/i.jsonl', environment: 'prod', windowSeconds: 14 * 86400 });
    expect(full.incidentLabel).toBe('sev');
  });

  it('refuses a window that is no duration, or longer than a century (its start would be no date)', () => {
    expect(codeOf(() => doraPlan({ git: '.', deployments: 'd', window: 'soon' }, '/w', new Date(), {}))).toBe(
      'DURATION_INVALID',
    );
    // 999999999d was an INTERNAL_ERROR naming no option.
    for (const window of ['999999999d', '99999999999999999999d', '36501d'])
      expect(() => doraPlan({ git: '.', deployments: 'd', window }, '/w', new Date(), {}), window).toThrow(
        expect.objectContaining({ code: 'DURATION_INVALID', message: expect.stringMatching(/^--window: .*a century/) }),
      );
    expect(doraPlan({ git: '.', deployments: 'd', window: '36500d' }, '/w', new Date(), {}).options.windowSeconds).toBe(
      36_500 * 86_400,
    );
  });
});

describe('collectorFor', () => {
  it('gives configured collectors to their inputs and the plain ones by name', () => {
    const fake = (name: string): Collector => ({ name, version: '1', collect: () => Promise.reject(new Error()) });
    const chosen = { sloLive: fake('live'), sloSaved: fake('saved'), dora: fake('dora'), attestation: fake('att') };
    const input = (collector: PlannedInput['collector']): PlannedInput => ({ collector, file: '/f', label: 'f' });
    expect(collectorFor(input('slo'), chosen).name).toBe('live');
    expect(collectorFor(input('slo-snapshot'), chosen).name).toBe('saved');
    expect(collectorFor(input('dora'), chosen).name).toBe('dora');
    expect(collectorFor(input('attestation'), chosen).name).toBe('att');
    expect(collectorFor(input('junit'), chosen)).toBe(collectors.junit);
  });
});
