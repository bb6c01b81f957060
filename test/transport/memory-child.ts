/**
 * Run by bounded-bodies.test.ts in a process of its own (node --import tsx):
 * one client call against a server that answers with a huge body, with this
 * process's memory measured around it. Prints one line of JSON:
 * `{code, rssBefore, rssAfter, peakRss, maxRssBefore, maxRssAfter}` (bytes).
 *
 * argv: KIND ORIGIN
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { githubActionsToken } from '../../src/transport/github/oidc.js';
import { ReleasesClient } from '../../src/transport/github/releases.js';
import { timedFetch } from '../../src/transport/http/timeout.js';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { prometheusClient } from '../../src/transport/prometheus.js';

const [kind = '', origin = ''] = process.argv.slice(2);
const host = new URL(origin).host;
const HUGE = 300 * 1024 * 1024;
const sink = (): Writable => new Writable({ write: (_c, _e, done) => done() });

/** One call of the kind asked for; `scope` is 'huge' (the measured call) or 'warm' (a small answer, first). */
async function call(scope: 'huge' | 'warm'): Promise<void> {
  const github = new ReleasesClient({ owner: scope, repo: 'web', apiUrl: origin, retry: { retries: 0 } });
  const registry = new RegistryClient(host, { plainHttp: true, fetch: timedFetch() });
  switch (kind) {
    case 'github-releases':
    case 'github-releases-declared':
    case 'github-error':
      await github.listReleases();
      return;
    case 'github-attestations':
      await github.attestationsFor(`sha256:${'a'.repeat(64)}`);
      return;
    case 'github-asset':
      await github.download({
        id: 1,
        name: 'a.tar.gz',
        size: scope === 'huge' ? HUGE : 2,
        url: `${origin}/repos/${scope}/web/releases/assets/1`,
        browser_download_url: `${origin}/a`,
      });
      return;
    case 'oci-tags':
      await registry.tags(`${scope}/web`);
      return;
    case 'oci-manifest':
    case 'oci-error':
    case 'oci-token':
      await registry.getManifest(`${scope}/web`, 'v1');
      return;
    case 'oci-blob':
      await pipeline(
        await registry.getBlob(`${scope}/web`, {
          digest: `sha256:${'0'.repeat(64)}`,
          size: scope === 'huge' ? HUGE : 2,
        }),
        sink(),
      );
      return;
    case 'prometheus':
    case 'prometheus-error':
      await prometheusClient({ url: `${origin}/${scope}`, retries: 0 }).query('up', new Date());
      return;
    case 'oidc':
      await githubActionsToken(`${origin}/${scope}/token`, 'runner-token-123').getToken();
      return;
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

const codeOf = async (p: Promise<void>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? `uncoded: ${(e as Error).name}`;
  }
};

// Warm up: every module loaded, fetch's machinery set up, before the baseline.
await codeOf(call('warm'));
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
let peakRss = rssBefore;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const code = await codeOf(call('huge'));
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const rssAfter = process.memoryUsage().rss;
const maxRssAfter = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ code, rssBefore, rssAfter, peakRss, maxRssBefore, maxRssAfter })}\n`);
