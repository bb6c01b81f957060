/**
 * The exports of a CommonJS package loaded with `import()`: Node gives its `module.exports` as `default` and its
 * names beside it, but the command line's bundle (dist/bin, esbuild with chunks) gives only `default` for a package
 * split into a chunk of its own. `default` is taken when it is an object, so that both run the same. For CommonJS
 * packages only: an ES module's default export is something else.
 */
export function commonJsExports<T extends object>(loaded: T): T {
  const d = (loaded as { default?: unknown }).default;
  return (typeof d === 'object' && d !== null ? d : loaded) as T;
}
