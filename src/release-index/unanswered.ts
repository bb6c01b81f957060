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
export const RELEASE_DATE = 'substr(COALESCE(r.signed_at, r.created), 1, 19)';

/**
 * An instant as RELEASE_DATE is compared with it: to the second, without its zone (every date the index keeps is UTC),
 * so that `2026-08-01T00:00:00.000Z` is not before `2026-08-01T00:00:00Z` (`.` sorts before `Z`).
 */
export const toTheSecond = (instant: string): string => instant.slice(0, 19);

/** Whether a release's date is one only its signer vouches for (no verified time), as an answer column. */
export const DATED_BY = "CASE WHEN r.signed_at IS NULL THEN 'signer' ELSE 'verified-time' END AS dated_by";

/** How many entries of `kind` (one of this code's names, never input) the release `r` holds (0 when none), as an SQL expression. */
export const kindCount = (kind: string): string =>
  `COALESCE((SELECT SUM(k.count) FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = '${kind}'), 0)`;

/**
 * How many entries of `kind` (one of this code's names) the release `r` holds that hold something (schema 6: not
 * counting those that hold nothing; an entry whose emptiness was not recorded counts as holding something).
 */
const heldCount = (kind: string): string =>
  `COALESCE((SELECT SUM(k.count - COALESCE(k.empty, 0)) FROM kinds k WHERE k.bundle_digest = r.bundle_digest AND k.kind = '${kind}'), 0)`;

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
    case 'license': {
      // SBOMs that list no component answer nothing (schema 6 counts them: kinds.empty). A component without a purl, or
      // one whose purl does not read, is indexed by its name alone: a purl question cannot find it (schema 6 counts
      // them); an index read as an earlier schema did not record either.
      const purl = q.kind === 'purl';
      const unread = `${kindCount('sbom')} = 0 OR r.components_read IS NULL OR r.components_read <> 1`;
      const why = `CASE WHEN ${kindCount('sbom')} = 0 THEN 'no SBOM' WHEN r.components_read IS NULL THEN 'not recorded whether its SBOMs were read (indexed before schema 2: rebuild)' WHEN r.components_read <> 1 THEN 'an SBOM of its bundle was not read'`;
      if (schema < 6)
        return select(
          `${why} ELSE ${purl ? `'an index of schema ${schema}: whether its components all have a purl was not recorded'` : "''"} END`,
          purl ? `${kindCount('sbom')} > 0 OR ${unread}` : unread,
        );
      const [column, what, finds] = purl
        ? ['components_without_purl', 'have a purl', 'have no purl that reads, so a purl cannot find them']
        : [
            'components_without_license',
            'name a licence',
            'name no licence id, or an expression that does not read, so a licence cannot find them',
          ];
      return select(
        `${why} WHEN r.${column} IS NULL THEN 'not recorded whether its SBOMs list components that all ${what} (indexed before schema 6: rebuild)' WHEN ${heldCount('sbom')} = 0 THEN 'its SBOMs list no components' ELSE r.${column} || ' of its components ${finds}' END`,
        `${unread} OR ${heldCount('sbom')} = 0 OR r.${column} IS NULL OR r.${column} > 0`,
      );
    }
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
        [q.control ?? '', ...(q.since ? [toTheSecond(q.since)] : []), ...(q.until ? [toTheSecond(q.until)] : [])],
      );
    }
    default:
      return undefined;
  }
}
