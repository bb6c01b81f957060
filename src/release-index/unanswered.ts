/**
 * What a question to the index could not be answered for: the releases in its scope whose evidence does not say
 * (no SBOM, or one not read, for a component or a licence; no vulnerability scan, or findings not read, for a
 * vulnerability; no policy check of the control). A release absent from the answers is not shown to be without the
 * component, the vulnerability or the control's failure unless it could answer: these say which could not, and why.
 */
import type { Sql } from './sql.js';

/** How many entries of `kind` the release `r` holds (0 when none), as an SQL expression. */
export const kindCount = (kind: string): string =>
  `COALESCE((SELECT SUM(k.count) FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = '${kind}'), 0)`;

/** The statement listing the releases in scope that cannot answer `q`, each with why; undefined when all can. */
export function unansweredSql(
  q: { kind: string; control?: string; since?: string; until?: string },
  releaseColumns: string,
  scope: { product?: string },
): Sql | undefined {
  const product = scope.product === undefined ? '' : ' AND r.product = ?';
  const p = scope.product === undefined ? [] : [scope.product];
  const order = ' ORDER BY r.product, r.created, r.version';
  const select = (why: string, where: string, params: string[] = []): Sql => ({
    text: `SELECT ${releaseColumns}, ${why} AS why FROM releases r WHERE (${where})${product}${order}`,
    params: [...params, ...p],
  });
  switch (q.kind) {
    case 'purl':
    case 'license':
      return select(
        `CASE WHEN ${kindCount('sbom')} = 0 THEN 'no SBOM' WHEN r.components_read IS NULL THEN 'not recorded whether its SBOMs were read (indexed before schema 2: rebuild)' ELSE 'an SBOM of its bundle was not read' END`,
        `${kindCount('sbom')} = 0 OR r.components_read IS NULL OR r.components_read <> 1`,
      );
    case 'cve':
    case 'vulnerability':
      return select(
        `CASE WHEN ${kindCount('vulnerabilities')} = 0 THEN 'no vulnerability scan' WHEN r.findings_read IS NULL THEN 'not recorded whether its findings were read (indexed before schema 2: rebuild)' ELSE 'its findings were not read' END`,
        `${kindCount('vulnerabilities')} = 0 OR r.findings_read IS NULL OR r.findings_read <> 1`,
      );
    case 'control': {
      const period = `${q.since ? ' AND r.created >= ?' : ''}${q.until ? ' AND r.created <= ?' : ''}`;
      return select(
        `CASE WHEN r.policy = 'none' THEN 'no policy was applied when it was indexed' ELSE 'its policy checks nothing citing this control' END`,
        // One lookup of the control's rows (its index), not one per release.
        `r.bundle_digest NOT IN (SELECT c.bundle_digest FROM controls c WHERE c.control = ?)${period}`,
        [q.control ?? '', ...(q.since ? [q.since] : []), ...(q.until ? [q.until] : [])],
      );
    }
    default:
      return undefined;
  }
}
