import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Keyless signing outside GitHub Actions: a GitLab CI job's token (its documented claims, audience `sigstore`, in
 * SIGSTORE_ID_TOKEN as GitLab's `id_tokens` puts it) and a token in a file, against the local Sigstore. Its Fulcio
 * issues what public-good Fulcio issues for GitLab (scripts/local-sigstore.mjs, gitlabCertificate): the identity
 * `https://` + `ci_config_ref_uri`, and GitLab's project, ref and pipeline in the certificate's extensions, which
 * verify pins with --source-repository, --source-ref and --signer-workflow.
 */
const tmp = useTmp();
const CONFIG_REF = 'gitlab.com/acme/web//.gitlab-ci.yml@refs/tags/v1.4.2';
const GITLAB = 'https://gitlab.com';
const CLAIMS = {
  iss: GITLAB,
  sub: 'project_path:acme/web:ref_type:tag:ref:v1.4.2',
  aud: 'sigstore',
  namespace_path: 'acme',
  project_path: 'acme/web',
  ref: 'v1.4.2',
  ref_type: 'tag',
  ref_protected: 'true',
  pipeline_source: 'push',
  ci_config_ref_uri: CONFIG_REF,
  ci_config_sha: 'b7c1e2f3a4d5c6b7a8e9f0a1b2c3d4e5f6a7b8c9',
  sha: '3f1a9c2e8b7d6f5a4c3b2a1f0e9d8c7b6a5f4e3d',
  project_id: '4711',
  job_id: '1337',
  runner_environment: 'gitlab-hosted',
};
const TOKEN = fakeIdentityToken(CLAIMS);

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore({ fulcioProfile: 'gitlab' });
});
afterAll(async () => {
  await sigstore?.close();
});

async function release(): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'sc.json'), JSON.stringify(sigstore.signingConfigRekorV2));
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  await writeFile(join(dir, 'app.tgz'), 'the release');
  return dir;
}
const collectArgs = ['collect', '-o', 'b.tar.gz', '--name', 'web', '--version', '1.4.2', '--subject', 'app.tgz'];

describe('keyless signing outside GitHub Actions', () => {
  it('a GitLab CI job: the token from SIGSTORE_ID_TOKEN, the pipeline in the statement, the identity pinned at verify', async () => {
    const dir = await release();
    const env = {
      SIGSTORE_ID_TOKEN: TOKEN,
      GITLAB_CI: 'true',
      CI_PIPELINE_URL: 'https://gitlab.com/acme/web/-/pipelines/42',
      CI_PIPELINE_SOURCE: 'push',
    };
    const c = await runCli([...collectArgs, '--sign', '--signing-config', 'sc.json', '-q'], { cwd: dir, env });
    expect(c.code, c.stderr).toBe(0);
    const bundle = JSON.parse(await readFile(join(dir, 'b.sigstore.json'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      predicate: { ci?: unknown };
    };
    expect(statement.predicate.ci).toEqual({
      provider: 'gitlab-ci',
      runUrl: 'https://gitlab.com/acme/web/-/pipelines/42',
      eventName: 'push',
    });
    const verify = (identity: string, ...pins: string[]) =>
      runCli(
        ['verify', 'b.tar.gz', '--trusted-root', 'trusted_root.json', '--certificate-identity-regexp', identity].concat(
          ['--certificate-oidc-issuer', GITLAB, '--json', ...pins],
        ),
        { cwd: dir },
      );
    const ok = await verify('https://gitlab\\.com/acme/web//\\.gitlab-ci\\.yml@refs/tags/v.*');
    expect(ok.code, ok.stdout).toBe(0);
    const signature = (JSON.parse(ok.stdout) as { signature: { identity: string; claims: Record<string, string> } })
      .signature;
    expect(signature.identity).toBe(`https://${CONFIG_REF}`);
    expect(signature.claims).toMatchObject({
      sourceRepositoryUri: 'https://gitlab.com/acme/web',
      sourceRepositoryRef: 'refs/tags/v1.4.2',
      sourceRepositoryDigest: CLAIMS.sha,
      buildSignerUri: `https://${CONFIG_REF}`,
    });
    // GitLab's project, ref and pipeline configuration pinned as cosign's --certificate-github-workflow-* forms do.
    const pinned = await verify(
      '.*',
      '--source-repository',
      'https://gitlab.com/acme/web',
      '--source-ref',
      'refs/tags/v1.4.2',
      '--signer-workflow',
      'https://gitlab.com/acme/web//.gitlab-ci.yml',
    );
    expect(pinned.code, pinned.stdout).toBe(0);
    for (const [pin, value, code] of [
      ['--source-repository', 'https://gitlab.com/acme/other', 'SOURCE_REPOSITORY_MISMATCH'],
      ['--source-ref', 'refs/heads/main', 'SOURCE_REF_MISMATCH'],
      ['--signer-workflow', 'https://gitlab.com/acme/web//ci/other.yml', 'WORKFLOW_MISMATCH'],
    ] as const) {
      const r = await verify('.*', pin, value);
      expect(r.code, pin).toBe(1);
      expect(r.stdout).toContain(code);
    }
    // Another project's pipeline, or a branch rather than a tag, is not this signer.
    for (const other of ['https://gitlab\\.com/acme/other//.*', 'https://gitlab\\.com/acme/web//.*@refs/heads/.*']) {
      const r = await verify(other);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('IDENTITY_MISMATCH');
    }
  });

  it('a token in a file (--identity-token-file): used, never echoed; an empty file is refused with exit 2', async () => {
    const dir = await release();
    await writeFile(join(dir, 'token'), `${TOKEN}\n`);
    const c = await runCli(
      [...collectArgs, '--sign', '--signing-config', 'sc.json', '--identity-token-file', 'token'],
      {
        cwd: dir,
      },
    );
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout + c.stderr).not.toContain(TOKEN.split('.')[1]);
    // Nor written into the bundle (its tar, uncompressed).
    const tar = gunzipSync(await readFile(join(dir, 'b.tar.gz')));
    expect(tar.includes(Buffer.from(TOKEN.split('.')[1] as string))).toBe(false);
    expect(tar.includes(Buffer.from('manifest.json'))).toBe(true);
    await writeFile(join(dir, 'empty'), '\n');
    const empty = await runCli(
      [...collectArgs, '--sign', '--signing-config', 'sc.json', '--identity-token-file', 'empty', '--force'],
      { cwd: dir },
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('[IDENTITY_TOKEN_INVALID]');
    expect(empty.stderr).toContain('empty');
  });
});
