/**
 * The URI of the Link header's rel="next" (RFC 8288; an OCI registry's referrers and tags lists and GitHub's
 * attestations API page with it). A comma separates links only outside `<…>` and quoted strings (a URI may hold
 * commas), and `rel` is a list of relation types separated by spaces (`rel="prev next"`).
 */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  let at = 0;
  for (;;) {
    const open = header.indexOf('<', at);
    if (open === -1) return undefined;
    const close = header.indexOf('>', open + 1);
    if (close === -1) return undefined;
    let end = close + 1;
    for (let quoted = false; end < header.length; end++) {
      const c = header[end];
      if (c === '"') quoted = !quoted;
      else if (c === '\\' && quoted) end++;
      else if (c === ',' && !quoted) break;
    }
    if (relations(header.slice(close + 1, end)).includes('next')) return header.slice(open + 1, close);
    at = end + 1;
  }
}

/** The relation types of a link's parameters (`; rel="a b"` or `; rel=a`), lower case. */
function relations(params: string): string[] {
  const m = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params);
  return (m?.[1] ?? m?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}
