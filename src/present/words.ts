/**
 * Words for numbers, with no other import: what the command line's option parsing and progress use, so that starting
 * the CLI (`--version`, `--help`) does not load the report renderers and their schemas.
 */

/** A byte count in binary units: `512 B`, `1.5 KiB`, `20 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** `1 subject`, `2 subjects`: a count with its noun in the right number. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
