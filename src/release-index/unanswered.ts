/**
 * What a question to the index could not be answered for: the releases in its scope whose evidence does not say
 * (no SBOM, or one not read, for a component or a licence; no vulnerability scan, or findings not read, for a
 * vulnerability; no policy check of the control). A release absent from the answers is not shown to be without the
 * component, the vulnerability or the control's failure unless it could answer: these say which could not, and why.
 */
import type { Sql } from './sql.js';

/**
 * When a release was signed, as far as the index can say: the time its signature's verification relied on (a checked
 * timestamp or log entry), else the manifest's `created`, which only the signer vouches for (as audit dates them).
 */
export const RELEASE_DATE = 'COALESCE(r.signed_at, r.created)';

/** How many entries of `kind` (one of this code's names, never input) the release `r` holds (0 when none), as an SQL expression. */
export const kindCount = (kind: string): string =>
  `COALESCE((SELECT SUM(k.count) FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = '${kind}'), 0)`;

/** The statement listing the releases in scope that cannot answer `q`, each with why; undefined when all can. */
export function unansweredSql(
  q: { kind: string; control?: string; since?: string; until?: string; evidenceKind?: string },
  releaseColumns: string,
  scope: { product?: string },
  schema: number,
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
      // A component without a purl is indexed by its name alone: a purl question cannot find it (schema 6 counts them).
      return select(
        `CASE WHEN ${kindCount('sbom')} = 0 THEN 'no SBOM' WHEN r.components_read IS NULL THEN 'not recorded whether its SBOMs were read (indexed before schema 2: rebuild)' WHEN r.components_read <> 1 THEN 'an SBOM of its bundle was not read' ${
          schema >= 6
            ? "WHEN r.components_without_purl IS NULL THEN 'not recorded whether its components all have a purl (indexed before schema 6: rebuild)' ELSE r.components_without_purl || ' of its components have no purl, so a purl cannot find them'"
            : "ELSE ''"
        } END`,
        `${kindCount('sbom')} = 0 OR r.components_read IS NULL OR r.components_read <> 1${
          schema >= 6 ? ' OR r.components_without_purl IS NULL OR r.components_without_purl > 0' : ''
        }`,
      );
    case 'license':
      return select(
        `CASE WHEN ${kindCount('sbom')} = 0 THEN 'no SBOM' WHEN r.components_read IS NULL THEN 'not recorded whether its SBOMs were read (indexed before schema 2: rebuild)' ELSE 'an SBOM of its bundle was not read' END`,
        `${kindCount('sbom')} = 0 OR r.components_read IS NULL OR r.components_read <> 1`,
      );
    case 'missing':
      // Indexed before schema 6, a release's entries of the kind were not told apart from entries that hold nothing.
      return schema >= 6
        ? select(
            `'not recorded whether its entries of this kind hold anything (indexed before schema 6: rebuild)'`,
            'EXISTS (SELECT 1 FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = ? AND k.count > 0 AND k.empty IS NULL)',
            [q.evidenceKind ?? ''],
          )
        : select(
            `'an index of schema ${schema}: whether its entries of this kind hold anything was not recorded'`,
            'EXISTS (SELECT 1 FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = ? AND k.count > 0)',
            [q.evidenceKind ?? ''],
          );
    case 'cve':
    case 'vulnerability':
      return select(
        `CASE WHEN ${kindCount('vulnerabilities')} = 0 THEN 'no vulnerability scan' WHEN r.findings_read IS NULL THEN 'not recorded whether its findings were read (indexed before schema 2: rebuild)' ELSE 'its findings were not read' END`,
        `${kindCount('vulnerabilities')} = 0 OR r.findings_read IS NULL OR r.findings_read <> 1`,
      );
    case 'control': {
      const period = `${q.since ? ` AND ${RELEASE_DATE} >= ?` : ''}${q.until ? ` AND ${RELEASE_DATE} <= ?` : ''}`;
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
