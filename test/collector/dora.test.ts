import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doraCollector, frequencyBand, percentileCont, parseRfc3339 } from '../../src/collector/dora.js';
import { CollectError } from '../../src/collector/errors.js';
import { doraSummarySchema } from '../../src/core/summaries.js';
import { useTmp } from '../helpers/tmp.js';

const err = (p: Promise<unknown>): Promise<CollectError> =>
  p.then(
    () => {
      throw new Error('accepted');
    },
    (e: CollectError) => e,
  );
const at = (iso: string): number => Date.parse(iso) / 1000;
const DAY = 86400;
const HOUR = 3600;

const gitEnv = (date?: string): NodeJS.ProcessEnv => ({
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  ...(date ? { GIT_AUTHOR_DATE: `@${at(date)} +0000`, GIT_COMMITTER_DATE: `@${at(date)} +0000` } : {}),
});

/**
 * The history (committer times; main runs left to right, F1–F2 is a feature branch merged by M):
 *
 *   A 02-10 ─ B 02-20 ─ C 03-02 ─────────── M 03-05 ─ E 03-10 ─ G 03-20 ─ H 03-21 ─ I 03-28
 *                    └─ F1 03-03 ─ F2 03-04 ┘
 */
function makeRepo(dir: string): Record<string, string> {
  const git = (args: string[], date?: string): string =>
    execFileSync('git', ['-C', dir, ...args], { env: gitEnv(date), encoding: 'utf8' }).trim();
  git(['init', '-q', '-b', 'main']);
  const tree = execFileSync('git', ['-C', dir, 'mktree'], { input: '', env: gitEnv(), encoding: 'utf8' }).trim();
  const c: Record<string, string> = {};
  const commit = (name: string, date: string, parents: string[]): void => {
    c[name] = git(['commit-tree', tree, '-m', name, ...parents.flatMap((p) => ['-p', c[p] as string])], date);
  };
  commit('A', '2026-02-10T00:00:00Z', []);
  commit('B', '2026-02-20T00:00:00Z', ['A']);
  commit('C', '2026-03-02T00:00:00Z', ['B']);
  commit('F1', '2026-03-03T00:00:00Z', ['B']);
  commit('F2', '2026-03-04T00:00:00Z', ['F1']);
  commit('M', '2026-03-05T00:00:00Z', ['C', 'F2']);
  commit('E', '2026-03-10T00:00:00Z', ['M']);
  commit('G', '2026-03-20T00:00:00Z', ['E']);
  commit('H', '2026-03-21T00:00:00Z', ['G']);
  commit('I', '2026-03-28T00:00:00Z', ['H']);
  git(['update-ref', 'refs/heads/main', c.I as string]);
  return c;
}

const AS_OF = new Date('2026-03-31T00:00:00Z');
const WINDOW = 30 * DAY; // (2026-03-01T00:00:00Z, 2026-03-31T00:00:00Z]

/**
 * Deployments (the same in both formats):
 *   D0 production success 02-21T00:00  B    before the window: ships A, B — never counted again
 *   D1 production success 03-05T12:00  M    ships C, F1, F2, M (the merge brings the feature branch)
 *   Dx production failure 03-10T06:00  E    failed: not a deployment, only listed in the detail
 *   D2 production success 03-10T12:00  E    ships E
 *   D3 production success 03-22T00:00  H    (short sha in JSON Lines) ships G, H
 *   Ds staging    success 03-28T01:00  I    other environment: ignored
 *   D5 production success 03-26T00:00  H    redeploy: ships nothing, still a deployment
 *   D6 production success 04-02T00:00  I    after asOf: ignored
 *
 * Incidents:
 *   1  opened 03-06T00:00 resolved 03-06T04:00 sha F1 → D1   restore 4 h   = 14400 s
 *   2  opened 03-07T00:00 resolved 03-07T01:00 sha C  → D1   restore 1 h   =  3600 s
 *   3  opened 03-23T00:00 unresolved           sha G  → D3
 *   4  opened 03-15T00:00 resolved 03-15T10:00 no sha (unlinked)  restore 10 h = 36000 s
 *   5  opened 02-25T00:00 resolved 03-01T12:00 sha B  (shipped by D0, before the window: unlinked)
 *                                                          restore 4.5 d = 388800 s
 *   6  opened 04-01T00:00 (after asOf, its sha is not even in the repo): ignored
 *
 * Expected, by hand:
 *   deployments        D1, D2, D3, D5                           = 4
 *   deploymentsPerDay  4 / 30                                   = 0.1333…
 *   band               4/30 < 1/7 (4·7 d < 30 d) but ≥ 1/30    = monthly
 *   commits            C F1 F2 M (D1), E (D2), G H (D3)         = 7
 *   lead times         C  03-05T12 − 03-02 = 3.5 d = 302400
 *                      F1 03-05T12 − 03-03 = 2.5 d = 216000
 *                      F2 03-05T12 − 03-04 = 1.5 d = 129600
 *                      M  03-05T12 − 03-05 = 0.5 d =  43200
 *                      E  03-10T12 − 03-10 = 0.5 d =  43200
 *                      G  03-22    − 03-20 = 2 d   = 172800
 *                      H  03-22    − 03-21 = 1 d   =  86400
 *     sorted 43200 43200 86400 129600 172800 216000 302400 (n = 7)
 *     median: position 0.5·6 = 3 → 129600
 *     p90:    position 0.9·6 = 5.4 → 216000 + 0.4·(302400 − 216000) = 250560
 *   failedDeployments  D1 (incidents 1 and 2, counted once), D3 (incident 3) = 2
 *   unattributedIncidents  4 (opened in the window, names no commit) = 1
 *   changeFailureRate  not measured (null): incident 4 may have failed D2 or D5, so 2/4 is only a lower bound;
 *                      with incident 4 naming E it is 3 / 4 (below)
 *   incidents          opened in the window: 1, 2, 3, 4          = 4
 *   resolvedIncidents  resolved in the window: 1, 2, 4, 5        = 4
 *   timeToRestore      sorted 3600 14400 36000 388800: position 0.5·3 = 1.5 → (14400 + 36000) / 2 = 25200
 */
const EXPECTED = {
  asOf: '2026-03-31T00:00:00Z',
  environment: 'production',
  windowDays: 30,
  deployments: 4,
  deploymentsPerDay: 4 / 30,
  band: 'monthly',
  commits: 7,
  leadTimeSeconds: { median: 129600, p90: 250560 },
  changeFailureRate: null,
  failedDeployments: 2,
  timeToRestoreSeconds: { median: 25200 },
  incidents: 4,
  resolvedIncidents: 4,
  unattributedIncidents: 1,
};

function jsonlDeployments(c: Record<string, string>): string {
  const d = (sha: string, environment: string, status: string, time: string): string =>
    JSON.stringify({ sha, environment, status, time, ref: 'main' });
  return [
    d(c.B as string, 'production', 'success', '2026-02-21T00:00:00Z'),
    d(c.M as string, 'production', 'success', '2026-03-05T12:00:00Z'),
    '',
    d(c.E as string, 'production', 'failure', '2026-03-10T06:00:00Z'),
    d(c.E as string, 'production', 'success', '2026-03-10T13:00:00+01:00'), // = 12:00Z
    d((c.H as string).slice(0, 10), 'production', 'success', '2026-03-22T00:00:00Z'),
    d(c.I as string, 'staging', 'success', '2026-03-28T01:00:00Z'),
    d(c.H as string, 'production', 'success', '2026-03-26T00:00:00.000Z'),
    d(c.I as string, 'production', 'success', '2026-04-02T00:00:00Z'),
    '',
  ].join('\n');
}

function githubDeployments(c: Record<string, string>): string {
  let id = 100;
  const status = (state: string, created_at: string): object => ({ state, created_at, id: id++ });
  const d = (sha: string, environment: string, created_at: string, statuses: object[]): object => ({
    id: id++,
    sha,
    ref: 'main',
    environment,
    created_at,
    statuses,
  });
  // Newest first, as the API lists them; each deployment's statuses newest first too.
  return JSON.stringify([
    d(c.I as string, 'production', '2026-04-01T23:50:00Z', [
      status('success', '2026-04-02T00:00:00Z'),
      status('in_progress', '2026-04-01T23:55:00Z'),
    ]),
    d(c.I as string, 'staging', '2026-03-28T00:50:00Z', [status('success', '2026-03-28T01:00:00Z')]),
    d(c.H as string, 'production', '2026-03-25T23:50:00Z', [status('success', '2026-03-26T00:00:00Z')]),
    // GitHub marks an earlier success `inactive` when a newer deployment succeeds: still a success at 03-22.
    d(c.H as string, 'production', '2026-03-21T23:50:00Z', [
      status('inactive', '2026-03-26T00:00:00Z'),
      status('success', '2026-03-22T00:00:00Z'),
      status('in_progress', '2026-03-21T23:55:00Z'),
    ]),
    d(c.E as string, 'production', '2026-03-10T11:50:00Z', [
      status('success', '2026-03-10T12:00:00Z'),
      status('queued', '2026-03-10T11:51:00Z'),
    ]),
    d(c.E as string, 'production', '2026-03-10T05:50:00Z', [
      status('failure', '2026-03-10T06:00:00Z'),
      status('in_progress', '2026-03-10T05:55:00Z'),
    ]),
    // Never finished: neither a deployment nor a failure.
    d(c.E as string, 'production', '2026-03-09T00:00:00Z', [status('pending', '2026-03-09T00:00:00Z')]),
    d(c.M as string, 'production', '2026-03-05T11:50:00Z', [status('success', '2026-03-05T12:00:00Z')]),
    d(c.B as string, 'production', '2026-02-20T23:50:00Z', [status('success', '2026-02-21T00:00:00Z')]),
  ]);
}

function jsonlIncidents(c: Record<string, string>): string {
  return [
    JSON.stringify({
      id: '1',
      opened: '2026-03-06T00:00:00Z',
      resolved: '2026-03-06T04:00:00Z',
      sha: c.F1,
      title: 'checkout 500s',
    }),
    JSON.stringify({
      id: '2',
      opened: '2026-03-07T00:00:00Z',
      resolved: '2026-03-07T01:00:00Z',
      sha: (c.C as string).slice(0, 7),
    }),
    JSON.stringify({ id: '3', opened: '2026-03-23T00:00:00Z', sha: c.G }),
    JSON.stringify({ id: '4', opened: '2026-03-15T00:00:00Z', resolved: '2026-03-15T10:00:00Z' }),
    JSON.stringify({ id: '5', opened: '2026-02-25T00:00:00Z', resolved: '2026-03-01T12:00:00Z', sha: c.B }),
    JSON.stringify({ id: '6', opened: '2026-04-01T00:00:00Z', sha: 'ffffffffffffffffffffffffffffffffffffffff' }),
  ].join('\n');
}

function githubIssues(c: Record<string, string>): string {
  const issue = (
    number: number,
    created_at: string,
    closed_at: string | null,
    labels: string[],
    body: string | null,
  ): object => ({
    number,
    title: `issue ${number}`,
    state: closed_at ? 'closed' : 'open',
    created_at,
    closed_at,
    labels: labels.map((name) => ({ id: 1, name })),
    body,
  });
  return JSON.stringify([
    issue(6, '2026-04-01T00:00:00Z', null, ['incident'], 'sha: ffffffffffffffffffffffffffffffffffffffff'),
    issue(5, '2026-02-25T00:00:00Z', '2026-03-01T12:00:00Z', ['incident'], `Caused-by: ${c.B}`),
    issue(4, '2026-03-15T00:00:00Z', '2026-03-15T10:00:00Z', ['incident', 'sev2'], 'Database ran out of connections.'),
    issue(3, '2026-03-23T00:00:00Z', null, ['incident'], `Errors after deploy.\r\nsha: ${c.G}\r\n`),
    // Not an incident: no label, though it names a shipped commit.
    issue(7, '2026-03-11T00:00:00Z', '2026-03-11T01:00:00Z', ['bug'], `sha: ${c.E}`),
    issue(
      2,
      '2026-03-07T00:00:00Z',
      '2026-03-07T01:00:00Z',
      ['incident'],
      `Rolled back.\n\nCaused-by: ${(c.C as string).slice(0, 7)}`,
    ),
    issue(1, '2026-03-06T00:00:00Z', '2026-03-06T04:00:00Z', ['incident'], `sha: ${c.F1}`),
  ]);
}

describe('dora collector', () => {
  const tmp = useTmp();

  async function scenario(
    format: 'jsonl' | 'github',
  ): Promise<{ dir: string; c: Record<string, string>; deployments: string; incidents: string }> {
    const dir = await tmp();
    const repo = join(dir, 'repo');
    execFileSync('mkdir', [repo]);
    const c = makeRepo(repo);
    const deployments = join(dir, format === 'jsonl' ? 'deployments.jsonl' : 'deployments.json');
    const incidents = join(dir, format === 'jsonl' ? 'incidents.jsonl' : 'issues.json');
    await writeFile(deployments, format === 'jsonl' ? jsonlDeployments(c) : githubDeployments(c));
    await writeFile(incidents, format === 'jsonl' ? jsonlIncidents(c) : githubIssues(c));
    return { dir: repo, c, deployments, incidents };
  }

  /** The scenario's files over the 30 days to AS_OF. */
  const collectWindow = (s: { dir: string; deployments: string; incidents: string }) =>
    doraCollector({
      gitDir: s.dir,
      incidents: s.incidents,
      environment: 'production',
      windowSeconds: WINDOW,
      asOf: AS_OF,
    }).collect({ file: s.deployments, label: 'd' });

  it.each(['jsonl', 'github'] as const)('computes the four keys from %s input', async (format) => {
    const s = await scenario(format);
    const collector = doraCollector({
      gitDir: s.dir,
      incidents: s.incidents,
      environment: 'production',
      windowSeconds: WINDOW,
      asOf: AS_OF,
    });
    expect(collector.name).toBe('dora');
    const out = await collector.collect({ file: s.deployments, label: 'deployments' });
    expect(out.kind).toBe('dora');
    expect(out.name).toBe('dora.json');
    expect(out.mediaType).toBe('application/vnd.evidence.dora+json');
    expect(out.summary).toEqual(EXPECTED);
    expect(doraSummarySchema.parse(out.summary)).toEqual(EXPECTED);
    expect(out.hex).toBe(
      createHash('sha256')
        .update(out.bytes as Buffer)
        .digest('hex'),
    );

    const detail = JSON.parse((out.bytes as Buffer).toString('utf8'));
    const c = s.c;
    expect(detail.inputs.git.head).toBe(c.I);
    expect(detail.inputs.deployments.format).toBe(format);
    expect(detail.parameters).toMatchObject({
      asOf: '2026-03-31T00:00:00Z',
      environment: 'production',
      windowSeconds: WINDOW,
      windowStart: '2026-03-01T00:00:00Z',
    });
    expect(detail.earlierDeployments).toBe(1);
    expect(detail.failureStatusDeployments.map((d: { sha: string; time: string }) => [d.sha, d.time])).toEqual([
      [c.E, '2026-03-10T06:00:00Z'],
    ]);
    expect(
      detail.deployments.map(
        (d: {
          sha: string;
          time: string;
          commits: { sha: string; leadTimeSeconds: number }[];
          incidents: string[];
        }) => ({
          sha: d.sha,
          time: d.time,
          commits: d.commits.map((x) => [x.sha, x.leadTimeSeconds]),
          incidents: d.incidents,
        }),
      ),
    ).toEqual([
      {
        sha: c.M,
        time: '2026-03-05T12:00:00Z',
        commits: [
          [c.C, 302400],
          [c.F1, 216000],
          [c.F2, 129600],
          [c.M, 43200],
        ],
        incidents: ['1', '2'],
      },
      { sha: c.E, time: '2026-03-10T12:00:00Z', commits: [[c.E, 43200]], incidents: [] },
      {
        sha: c.H,
        time: '2026-03-22T00:00:00Z',
        commits: [
          [c.G, 172800],
          [c.H, 86400],
        ],
        incidents: ['3'],
      },
      { sha: c.H, time: '2026-03-26T00:00:00Z', commits: [], incidents: [] },
    ]);
    expect(detail.summary).toEqual(EXPECTED);
    // Canonical, so the same inputs give the same bytes.
    const again = await collector.collect({ file: s.deployments, label: 'deployments' });
    expect(again.hex).toBe(out.hex);
  });

  it('reads GitHub pages as `gh api --paginate --slurp` writes them', async () => {
    const s = await scenario('github');
    const all = JSON.parse(githubDeployments(s.c)) as unknown[];
    await writeFile(s.deployments, JSON.stringify([all.slice(0, 4), all.slice(4)]));
    const issues = JSON.parse(githubIssues(s.c)) as unknown[];
    await writeFile(s.incidents, JSON.stringify([issues.slice(0, 3), issues.slice(3)]));
    expect((await collectWindow(s)).summary).toEqual(EXPECTED);
  });

  it('gives no change failure rate or time to restore without an incidents file', async () => {
    const s = await scenario('jsonl');
    const out = await doraCollector({
      gitDir: s.dir,
      environment: 'production',
      windowSeconds: WINDOW,
      asOf: AS_OF,
    }).collect({ file: s.deployments, label: 'd' });
    const withoutIncidents: Partial<typeof EXPECTED> = { ...EXPECTED };
    delete withoutIncidents.unattributedIncidents;
    expect(out.summary).toEqual({
      ...withoutIncidents,
      changeFailureRate: null,
      failedDeployments: 0,
      timeToRestoreSeconds: { median: null },
      incidents: 0,
      resolvedIncidents: 0,
    });
  });

  it('measures an empty window as none', async () => {
    const s = await scenario('jsonl');
    // (2026-01-01, 2026-01-31]: no deployments, no incidents.
    const out = await doraCollector({
      gitDir: s.dir,
      incidents: s.incidents,
      environment: 'production',
      windowSeconds: WINDOW,
      asOf: new Date('2026-01-31T00:00:00Z'),
    }).collect({ file: s.deployments, label: 'd' });
    expect(out.summary).toEqual({
      asOf: '2026-01-31T00:00:00Z',
      environment: 'production',
      windowDays: 30,
      deployments: 0,
      deploymentsPerDay: 0,
      band: 'none',
      commits: 0,
      leadTimeSeconds: { median: null, p90: null },
      changeFailureRate: null,
      failedDeployments: 0,
      timeToRestoreSeconds: { median: null },
      incidents: 0,
      resolvedIncidents: 0,
      unattributedIncidents: 0,
    });
  });

  it('measures the change failure rate only when every incident opened in the window names its commit', async () => {
    const s = await scenario('jsonl');
    const collect = () => collectWindow(s);
    // As given, incident 4 names no commit: not measured (2 of 4 is only a lower bound).
    expect((await collect()).summary).toMatchObject({
      changeFailureRate: null,
      failedDeployments: 2,
      unattributedIncidents: 1,
    });
    // Incident 4 names E (shipped by D2): 3 of 4 deployments failed, measured.
    const named = jsonlIncidents(s.c).replace('"id":"4",', `"id":"4","sha":"${s.c.E as string}",`);
    expect(named).not.toBe(jsonlIncidents(s.c));
    await writeFile(s.incidents, named);
    expect((await collect()).summary).toMatchObject({
      changeFailureRate: 0.75,
      failedDeployments: 3,
      unattributedIncidents: 0,
    });
  });

  it('counts only deployments since the one before the window: a 7-day window', async () => {
    const s = await scenario('jsonl');
    // (03-24, 03-31]: only D5 (a redeploy of H, which D3 shipped on 03-22): 1 deployment, no commits.
    // 1 per 7 days = weekly. Incidents opened: none; resolved: none.
    const out = await doraCollector({
      gitDir: s.dir,
      incidents: s.incidents,
      environment: 'production',
      windowSeconds: 7 * DAY,
      asOf: AS_OF,
    }).collect({ file: s.deployments, label: 'd' });
    expect(out.summary).toMatchObject({
      windowDays: 7,
      deployments: 1,
      deploymentsPerDay: 1 / 7,
      band: 'weekly',
      commits: 0,
      leadTimeSeconds: { median: null, p90: null },
      changeFailureRate: 0,
      failedDeployments: 0,
      incidents: 0,
      resolvedIncidents: 0,
      unattributedIncidents: 0,
    });
  });

  describe('refuses bad input', () => {
    async function run(
      deployments: string,
      options: { gitDir?: string; incidents?: string } = {},
    ): Promise<CollectError> {
      const s = await scenario('jsonl');
      const file = join(s.dir, '..', 'bad.jsonl');
      await writeFile(file, deployments.replaceAll('$H', s.c.H as string));
      let incidents: string | undefined;
      if (options.incidents !== undefined) {
        incidents = join(s.dir, '..', 'bad-incidents.jsonl');
        await writeFile(incidents, options.incidents.replaceAll('$H', s.c.H as string));
      }
      return err(
        doraCollector({
          gitDir: options.gitDir ?? s.dir,
          ...(incidents ? { incidents } : {}),
          environment: 'production',
          windowSeconds: WINDOW,
          asOf: AS_OF,
        }).collect({ file, label: 'bad.jsonl' }),
      );
    }
    const ok = '{"sha":"$H","environment":"production","status":"success","time":"2026-03-22T00:00:00Z"}';

    it('a line that is not JSON, and one that is not a deployment, each with its line number', async () => {
      const e = await run(
        [
          ok,
          '',
          '{"sha": "$H",',
          '{"sha":"$H","environment":"production","status":"done","time":"2026-03-22T00:00:00Z"}',
          ok,
        ].join('\n'),
      );
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues.map((i) => i.path)).toEqual(['line 3', 'line 4']);
      expect(e.issues[1]?.message).toMatch(/status/);
    });

    it('a sha that is not in the repository, naming the line', async () => {
      const e = await run(
        [
          ok,
          '{"sha":"0123456789abcdef0123456789abcdef01234567","environment":"production","status":"success","time":"2026-03-23T00:00:00Z"}',
        ].join('\n'),
      );
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]?.path).toMatch(/line 2$/);
      expect(e.issues[0]?.message).toMatch(/0123456789abcdef0123456789abcdef01234567 is not a commit/);
    });

    it('an incident sha that is not in the repository', async () => {
      const e = await run(ok, { incidents: '{"id":"9","opened":"2026-03-23T00:00:00Z","sha":"abcdef1"}' });
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues[0]?.path).toMatch(/line 1$/);
    });

    it.each([
      ['2026-02-30T00:00:00Z'],
      ['2026-03-22 00:00:00'],
      ['2026-03-22T00:00:00'],
      ['1742601600'],
      ['2026-02-29T00:00:00Z'],
      ['2026-03-22T24:00:00Z'],
      ['2026-03-22T23:59:60Z'],
      ['2026-03-22T00:00:00+24:00'],
      ['2026-03-22'],
      ['tomorrow'],
    ])('a time that is not RFC 3339: %s', async (time) => {
      const e = await run(`{"sha":"$H","environment":"production","status":"success","time":${JSON.stringify(time)}}`);
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues.map((i) => i.path)).toEqual(['line 1']);
      expect(e.issues[0]?.message).toMatch(/time/);
    });

    it('a sha that is not hexadecimal', async () => {
      const e = await run('{"sha":"main","environment":"production","status":"success","time":"2026-03-22T00:00:00Z"}');
      expect(e.code).toBe('DORA_INPUT_INVALID');
    });

    it('an incident opened on a day that does not exist', async () => {
      const e = await run(ok, { incidents: '{"id":"9","opened":"2026-04-31T00:00:00Z"}' });
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues[0]?.path).toMatch(/line 1$/);
    });

    it('an incident resolved before it was opened', async () => {
      const e = await run(ok, {
        incidents: '{"id":"9","opened":"2026-03-23T00:00:00Z","resolved":"2026-03-22T00:00:00Z"}',
      });
      expect(e.code).toBe('DORA_INPUT_INVALID');
    });

    it('GitHub JSON that is not an array of deployments', async () => {
      const e = await run('[{"sha":"$H","environment":"production"}]');
      expect(e.code).toBe('DORA_INPUT_INVALID');
      expect(e.issues.map((i) => i.path)).toContain('$[0].statuses');
    });

    it('a directory that is not a git repository', async () => {
      const notRepo = await tmp();
      const e = await run(ok, { gitDir: notRepo });
      expect(e.code).toBe('GIT_UNAVAILABLE');
    });

    it('a missing deployments file', async () => {
      const s = await scenario('jsonl');
      const e = await err(
        doraCollector({ gitDir: s.dir, environment: 'production', windowSeconds: WINDOW, asOf: AS_OF }).collect({
          file: join(s.dir, 'nope.jsonl'),
          label: 'nope.jsonl',
        }),
      );
      expect(e.code).toBe('INPUT_NOT_FOUND');
    });
  });
});

describe('dora helpers', () => {
  it('takes percentiles by linear interpolation, as PERCENTILE_CONT does', () => {
    expect(percentileCont([], 50)).toBeNull();
    expect(percentileCont([5], 90)).toBe(5);
    // The median of 6 is the mean of the 3rd and 4th (nearest rank would say the 3rd).
    expect(percentileCont([10, 20, 30, 40, 50, 60], 50)).toBe(35);
    expect(percentileCont([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileCont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBeCloseTo(9.1, 10);
    expect(percentileCont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentileCont([1, 2, 3], 100)).toBe(3);
    expect(percentileCont([1, 2, 3], 0)).toBe(1);
  });

  it('bands deployment frequency as the Four Keys do', () => {
    expect(frequencyBand(0, 30 * DAY)).toBe('none');
    expect(frequencyBand(30, 30 * DAY)).toBe('daily');
    expect(frequencyBand(29, 30 * DAY)).toBe('weekly');
    expect(frequencyBand(4, 28 * DAY)).toBe('weekly');
    expect(frequencyBand(3, 28 * DAY)).toBe('monthly');
    expect(frequencyBand(1, 30 * DAY)).toBe('monthly');
    expect(frequencyBand(1, 90 * DAY)).toBe('yearly');
    expect(frequencyBand(1, HOUR)).toBe('daily');
  });

  it('reads RFC 3339 times', () => {
    expect(parseRfc3339('2026-03-10T13:00:00+01:00')).toBe(Date.parse('2026-03-10T12:00:00Z'));
    expect(parseRfc3339('2026-03-10t12:00:00.5z')).toBe(Date.parse('2026-03-10T12:00:00.500Z'));
    expect(parseRfc3339('2024-02-29T00:00:00Z')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(parseRfc3339('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339('2026-03-10T24:00:00Z')).toBeUndefined();
  });
});
