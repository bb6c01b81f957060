import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseYamlDocument as parseYaml } from '../../src/formats/yaml.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { useFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { useTmp } from '../helpers/tmp.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = join(ROOT, 'dist/action/index.mjs');
const tmp = useTmp();

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const actionText = await readFile(join(ROOT, 'action.yml'), 'utf8');
const action = parseYaml(actionText) as ActionYml;

async function errorsOf(kind: 'action' | 'workflow', name: string, content: string): Promise<string[]> {
  const { NoOperationTraceWriter, parseWorkflow } = await import('@actions/workflow-parser');
  const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
  const parsed =
    kind === 'action'
      ? parseAction({ name, content }, new NoOperationTraceWriter())
      : parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return parsed.context.errors.getErrors().map((e) => e.message);
}

describe('action.yml', () => {
  it("is valid against GitHub's action metadata schema (@actions/workflow-parser)", async () => {
    expect(await errorsOf('action', 'action.yml', actionText)).toEqual([]);
    // The schema check can fail: a misspelt key is caught.
    expect(await errorsOf('action', 'action.yml', actionText.replace('  main: dist', '  mian: dist'))).not.toEqual([]);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.mjs' });
  });

  it('declares exactly the inputs and outputs the entry reads and writes', async () => {
    const entry = await readFile(join(ROOT, 'cli/action.ts'), 'utf8');
    const read = new Set([...entry.matchAll(/(?:input|flag)\(\s*'([a-z-]+)'/g)].map((m) => m[1]));
    const written = new Set([...entry.matchAll(/setOutput\(\s*'([a-z-]+)'/g)].map((m) => m[1]));
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
    expect([...written].sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it('the committed bundles are what the build makes from these sources (run npm run build and commit dist/ if not)', () => {
    const git = spawnSync('git', [
      '-C',
      ROOT,
      'diff',
      '--quiet',
      '--',
      'dist/action/index.mjs',
      'dist/evidence-verify.mjs',
    ]);
    if (git.error || spawnSync('git', ['-C', ROOT, 'rev-parse', '--git-dir']).status !== 0) {
      console.warn('skipping the committed-bundle check: not a git checkout');
      return;
    }
    const tracked = spawnSync('git', [
      '-C',
      ROOT,
      'ls-files',
      '--error-unmatch',
      'dist/action/index.mjs',
      'dist/evidence-verify.mjs',
    ]);
    expect(tracked.status, 'dist/action/index.mjs and dist/evidence-verify.mjs must be committed').toBe(0);
    expect(git.status, 'the built bundles differ from the committed ones').toBe(0);
  });
});

describe('example workflows', () => {
  for (const file of ['release.yml', 'audit.yml']) {
    it(`examples/github/${file} is a valid workflow`, async () => {
      const text = await readFile(join(ROOT, 'examples/github', file), 'utf8');
      expect(await errorsOf('workflow', file, text)).toEqual([]);
    });
  }

  it('release.yml uses the action with inputs it has, and the permissions keyless signing and attaching need', async () => {
    const wf = parseYaml(await readFile(join(ROOT, 'examples/github/release.yml'), 'utf8')) as {
      on: { push: { tags: string[] } };
      jobs: Record<
        string,
        { permissions: Record<string, string>; steps: Array<{ uses?: string; with?: Record<string, unknown> }> }
      >;
    };
    expect(wf.on.push.tags).toEqual(['v*']);
    const job = Object.values(wf.jobs).find((j) =>
      j.steps.some((s) => s.uses?.startsWith('evidence-bundle/evidence@')),
    );
    expect(job?.permissions).toMatchObject({ 'id-token': 'write', contents: 'write' });
    const step = job?.steps.find((s) => s.uses?.startsWith('evidence-bundle/evidence@'));
    expect(step).toBeDefined();
    // The job that can sign runs no project code: no npm, no npx.
    expect(job?.steps.some((s) => /\bnpm|\bnpx/.test(String((s as { run?: string }).run ?? '')))).toBe(false);
    // The jobs that run project code cannot sign or write.
    for (const other of Object.values(wf.jobs).filter((j) => j !== job)) {
      expect(other.permissions['id-token']).toBeUndefined();
      expect(other.permissions.contents).toBe('read');
    }
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });
});

/** GitHub Actions' OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) on loopback. */
async function oidcEndpoint(
  token: string,
  bearer: string,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    // The auth scheme is case-insensitive (RFC 9110); the runner's token is not.
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || value !== bearer) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * Runs the bundled entry as the runner would: node, INPUT_* for every input (defaults filled in), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files.
 */
async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; outputs: Record<string, string>; summary: string }> {
  const dir = await tmp();
  const outputFile = join(dir, 'github_output');
  const summaryFile = join(dir, 'step_summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const github: Record<string, string> = {
    'github.repository': env.GITHUB_REPOSITORY ?? '',
    'github.token': env.TOKEN ?? '',
    'github.api_url': env.GITHUB_API_URL ?? '',
  };
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value =
      inputs[name] ?? (spec.default ?? '').replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => github[k] ?? '');
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const child = spawn(process.execPath, [ENTRY], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env,
      ...inputEnv,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}

/** $GITHUB_OUTPUT as @actions/core writes it: `name<<DELIM`, value lines, `DELIM`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = (lines[i] as string).match(/^([\w-]+)<<(.+)$/);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string);
    out[m[1] as string] = value.join('\n');
  }
  return out;
}

describe('the action, run as the runner runs it', () => {
  const WORKFLOW_REF = 'acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
  const SIGNER = `https://github.com/${WORKFLOW_REF}`;
  const ISSUER = 'https://token.actions.githubusercontent.com';
  const fakeGitHub = useFakeGitHub();
  let gh: FakeGitHub;
  let oidc: Awaited<ReturnType<typeof oidcEndpoint>>;
  let sigstore: LocalSigstore;
  beforeAll(async () => {
    sigstore = await startLocalSigstore();
  });
  afterAll(async () => {
    await sigstore?.close();
  });
  beforeEach(async () => {
    gh = fakeGitHub();
    oidc = await oidcEndpoint(
      fakeIdentityToken({
        iss: ISSUER,
        sub: SIGNER,
        repository: 'acme/web',
        ref: 'refs/tags/v1.4.2',
        workflow_ref: WORKFLOW_REF,
      }),
      'runner-request-token-0123456789',
    );
  });
  afterEach(async () => {
    await oidc?.close();
  });

  async function job(inputs: Record<string, string>): Promise<Awaited<ReturnType<typeof runAction>> & { dir: string }> {
    const dir = await tmp();
    await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    const r = await runAction(
      {
        'working-directory': join(ROOT, 'examples/acme-web'),
        output: join(dir, 'acme-web-1.4.2.evidence.tar.gz'),
        'fulcio-url': sigstore.url,
        'rekor-url': sigstore.url,
        'tsa-url': sigstore.url,
        'trusted-root': join(dir, 'trusted_root.json'),
        attach: 'true',
        ...inputs,
      },
      {
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_API_URL: gh.apiUrl,
        TOKEN: gh.token,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_WORKFLOW_REF: WORKFLOW_REF,
        GITHUB_REF: 'refs/tags/v1.4.2',
        GITHUB_REF_TYPE: 'tag',
        GITHUB_REF_NAME: 'v1.4.2',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token-0123456789',
      },
    );
    return { ...r, dir };
  }

  it('collects, signs with the job OIDC token, verifies as this workflow, attaches, and sets its outputs', async () => {
    gh.addRelease('v1.4.2');
    const r = await job({});
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    // Sigstore's audience was asked of the runner's token endpoint.
    expect(oidc.requests.some((u) => u.includes('audience=sigstore'))).toBe(true);
    const bundle = join(r.dir, 'acme-web-1.4.2.evidence.tar.gz');
    expect(r.outputs['bundle-path']).toBe(bundle);
    expect(r.outputs['bundle-digest']).toBe(
      `sha256:${createHash('sha256')
        .update(await readFile(bundle))
        .digest('hex')}`,
    );
    expect(r.outputs.verdict).toBe('verified');
    expect(r.outputs.headline).toBe('VERIFIED WITH CONCERNS');
    expect(r.outputs.authentic).toBe('authentic');
    expect(r.outputs.policy).toBe('not-evaluated');
    expect(r.outputs['policy-shows']).toBe('');
    // The example release's own evidence has failing tests, a failed k6 threshold and destructive migrations.
    expect(r.outputs.evidence).toBe('concerns');
    expect(r.outputs['evidence-concerns']).toMatch(/^TESTS_FAILED junit\//m);
    expect(r.stdout).toMatch(/^::warning::.*\[TESTS_FAILED\]/m);
    expect(r.outputs['sigstore-bundle-path']).toBe(join(r.dir, 'acme-web-1.4.2.evidence.sigstore.json'));
    expect(r.outputs['release-url']).toContain('/releases/tag/v1.4.2');
    expect(r.summary).toMatch(/^# /m);
    expect(r.summary).toContain('acme-web');
    const names = gh.releases[0]?.assets.map((a) => a.name);
    expect(names).toEqual([
      'acme-web-1.4.2.evidence.tar.gz',
      'acme-web-1.4.2.evidence.sigstore.json',
      'acme-web-1.4.2.evidence.intoto.jsonl',
      'acme-web-1.4.2.evidence.sigstore.jsonl',
      'evidence-verify.mjs',
    ]);
    expect(r.outputs['sigstore-jsonl-path']).toBe(join(r.dir, 'acme-web-1.4.2.evidence.sigstore.jsonl'));
    expect(gh.releases[0]?.assets[0]?.bytes.equals(await readFile(bundle))).toBe(true);
    // The token is masked (::add-mask::) and otherwise never printed.
    const printed = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(printed).not.toContain(gh.token);
    expect(r.stdout).toContain(`::add-mask::${gh.token}`);
  });

  /** A config of the example's SBOM alone, and a policy of `rules` (YAML lines), in a folder of their own. */
  async function sbomOnly(rules: string[]): Promise<{ config: string; policy: string }> {
    const dir = await tmp();
    const example = join(ROOT, 'examples/acme-web');
    const config = join(dir, 'evidence.yaml');
    await writeFile(
      config,
      `name: acme-web\nversion: 1.4.2\nsbom:\n  - ${example}/sbom/acme-web.cdx.json\nsubjects:\n  - ${example}/dist/acme-web-1.4.2.tgz\n`,
    );
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, `version: 1\nrules:\n${rules.join('\n')}\n`);
    return { config, policy };
  }
  const NO_CRITICAL = '  - { name: no-critical, expr: "sarif.all(s, s.severities.critical == 0)" }';

  it('a policy that held on no evidence is no passing gate: POLICY SHOWS NOTHING, not attached, exit 3', async () => {
    gh.addRelease('v1.4.2');
    const r = await job(await sbomOnly([NO_CRITICAL]));
    expect(r.code, r.stdout).toBe(3);
    // verdict keeps its documented value; the headline and policy-shows say what it is.
    expect(r.outputs.verdict).toBe('verified');
    expect(r.outputs.headline).toBe('POLICY SHOWS NOTHING');
    expect(r.outputs.policy).toBe('satisfied');
    expect(r.outputs['policy-shows']).toBe('nothing');
    expect(r.stdout).toMatch(/^verify: POLICY SHOWS NOTHING \(verdict verified\): /m);
    expect(r.stdout).not.toMatch(/^verified: verified$/m);
    expect(r.stdout).toMatch(/^::error::POLICY SHOWS NOTHING: the policy held, but on no evidence of this release/m);
    expect(r.outputs['release-url']).toBeUndefined();
    expect(gh.releases[0]?.assets).toEqual([]);
  });

  it('policy-shows-nothing: warn attaches, and says so loudly; a bad value is refused (exit 2)', async () => {
    gh.addRelease('v1.4.2');
    const r = await job({ ...(await sbomOnly([NO_CRITICAL])), 'policy-shows-nothing': 'warn' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.headline).toBe('POLICY SHOWS NOTHING');
    expect(r.stdout).toMatch(/^::warning::POLICY SHOWS NOTHING: .* holds, but shows nothing.*; ATTACHED ANYWAY/m);
    expect(gh.releases[0]?.assets.map((a) => a.name)).toContain('acme-web-1.4.2.evidence.tar.gz');
    const bad = await job({ 'policy-shows-nothing': 'maybe', attach: 'false' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/::error::policy-shows-nothing: maybe is neither fail nor warn/);
  });

  it('a policy that shows part of the release attaches, with policy-shows partial and a warning naming the rest', async () => {
    gh.addRelease('v1.4.2');
    const shown = '  - { name: has-components, expr: "sbom.all(s, s.components > 0)" }';
    const r = await job(await sbomOnly([shown, NO_CRITICAL]));
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['policy-shows']).toBe('partial');
    expect(r.outputs.headline).toMatch(/^VERIFIED/);
    expect(r.stdout).toMatch(/^::warning::POLICY PARTLY SHOWN: .*1 of its 2 .*no-critical/m);
    expect(gh.releases[0]?.assets.length).toBeGreaterThan(0);
  });

  it('a bundle signed by another workflow than the one required fails the step and is not attached', async () => {
    gh.addRelease('v1.4.2');
    const r = await job({
      'certificate-identity': 'https://github.com/acme/web/.github/workflows/other.yml@refs/tags/v1.4.2',
    });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain('::error::');
    expect(r.outputs.verdict).toBe('failed');
    expect(r.outputs.headline).toBe('VERIFICATION FAILED');
    expect(r.outputs.authentic).toBe('failed');
    expect(r.outputs.evidence).toBe('unknown');
    expect(gh.releases[0]?.assets).toEqual([]);
  });

  it('attach without a tag, or a missing config, fails the step with exit 2 and says why', async () => {
    const noTag = await runAction(
      { attach: 'true', 'working-directory': join(ROOT, 'examples/acme-web') },
      { GITHUB_REPOSITORY: 'acme/web', SIGSTORE_ID_TOKEN: 'x' },
    );
    expect(noTag.code).toBe(2);
    expect(noTag.stdout).toMatch(/::error::attach: needs a tag/);
    const noConfig = await job({ config: 'missing.yaml', attach: 'false' });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stdout).toMatch(/::error::missing\.yaml: no such file \[INPUT_NOT_FOUND\]/);
  });
});
