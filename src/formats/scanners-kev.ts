/**
 * CISA's Known Exploited Vulnerabilities catalog, its JSON feed as CISA publishes it (`title`, `catalogVersion`,
 * `dateReleased`, `count`, `vulnerabilities[]` with `cveID`, `vendorProject`, `product`, `vulnerabilityName`,
 * `dateAdded`, `shortDescription`, `requiredAction`, `dueDate`, `knownRansomwareCampaignUse`, `notes`, `cwes`).
 *
 * Every field of the feed is required (but `cwes`, added later); dates must be real days (`YYYY-MM-DD`), `cveID` a
 * CVE id, `count` the number of entries. A CVE listed twice keeps the earliest `dateAdded`, and is used in ransomware
 * campaigns when either entry says so.
 */
import * as z from 'zod';
import { parseCalendarDate, parseRfc3339 } from '../core/time.js';
import { FormatError } from './errors.js';
import type { KevCatalog } from './findings.js';
import { formatIssuePath } from '../core/issues.js';
import { parseWith } from './scanners-common.js';

/** The most entries a catalog may have before it is refused (CISA's lists under 2,000). */
export const MAX_KEV_ENTRIES = 200_000;

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

const calendarDate = z
  .string()
  .refine((s) => parseCalendarDate(s) !== undefined, { message: 'expected a real date YYYY-MM-DD' });

const kevEntrySchema = z.looseObject({
  cveID: z.string().regex(CVE_ID, { message: 'expected a CVE id (CVE-YYYY-NNNN)' }),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string(),
  dateAdded: calendarDate,
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: calendarDate,
  knownRansomwareCampaignUse: z.enum(['Known', 'Unknown']),
  notes: z.string(),
  cwes: z.array(z.string()).optional(),
});

const kevCatalogSchema = z.looseObject({
  title: z.string(),
  catalogVersion: z.string().min(1),
  dateReleased: z.string().refine((s) => parseRfc3339(s) !== undefined || parseCalendarDate(s) !== undefined, {
    message: 'expected an RFC 3339 date-time (or a date YYYY-MM-DD)',
  }),
  count: z.int().min(0),
  vulnerabilities: z.array(kevEntrySchema),
});

function kevInvalid(label: string, path: readonly (string | number)[], why: string): FormatError {
  return new FormatError('KEV_INVALID', `${label}: ${formatIssuePath(path)}: ${why}`, { file: label });
}

/** CISA's KEV catalog (its JSON feed) read; KEV_INVALID naming the field where it is not what CISA publishes. */
export function parseKevCatalog(json: unknown, label: string): KevCatalog {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw kevInvalid(label, [], "CISA's KEV catalog is a JSON object");
  }
  const listed = (json as Record<string, unknown>).vulnerabilities;
  if (Array.isArray(listed) && listed.length > MAX_KEV_ENTRIES) {
    throw kevInvalid(label, ['vulnerabilities'], `${listed.length} entries, more than the ${MAX_KEV_ENTRIES} read`);
  }
  const catalog = parseWith(kevCatalogSchema, json, label, "CISA's KEV catalog as published", 'KEV_INVALID');
  if (catalog.count !== catalog.vulnerabilities.length) {
    throw kevInvalid(
      label,
      ['count'],
      `${catalog.count} does not match the ${catalog.vulnerabilities.length} vulnerabilities listed`,
    );
  }
  const entries: KevCatalog['entries'] = new Map();
  for (const v of catalog.vulnerabilities) {
    const ransomware = v.knownRansomwareCampaignUse === 'Known';
    const seen = entries.get(v.cveID);
    if (seen === undefined) {
      entries.set(v.cveID, { dateAdded: v.dateAdded, ransomware });
      continue;
    }
    // YYYY-MM-DD dates compare as text.
    seen.dateAdded = v.dateAdded < seen.dateAdded ? v.dateAdded : seen.dateAdded;
    seen.ransomware ||= ransomware;
  }
  return { catalogVersion: catalog.catalogVersion, dateReleased: catalog.dateReleased, entries };
}
