import root from './public-good-trusted-root.json' with { type: 'json' };
import meta from './public-good-trusted-root.meta.json' with { type: 'json' };

/** The public-good Sigstore trusted root shipped in this package (scripts/extract-trusted-root.mjs). */
export const PUBLIC_GOOD_TRUSTED_ROOT: unknown = root;
export const PUBLIC_GOOD_SOURCE = `public-good, embedded from ${meta.source}`;
