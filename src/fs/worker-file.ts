import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled file a worker of `src/fs/NAME.ts` starts from: the module itself (`moduleUrl`, its import.meta.url)
 * when it is the compiled dist/src/fs/NAME.js, or, from the command line's bundle (dist/bin/chunks/, issue 28), the
 * package's compiled copy of it, which the package ships as its library. Undefined under a test runner (TypeScript
 * sources) or inside a single-file bundle (the GitHub Action): there the work runs inline.
 */
export function compiledWorkerFile(moduleUrl: string, name: string): string | undefined {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith(`${sep}fs${sep}${name}.js`)) return here;
  const copy = join(dirname(here), '..', '..', 'src', 'fs', `${name}.js`);
  return /[\\/]dist[\\/]bin[\\/]chunks[\\/][^\\/]+\.js$/.test(here) && existsSync(copy) ? copy : undefined;
}
