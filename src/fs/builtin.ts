import { createRequire } from 'node:module';

interface Builtins {
  'node:fs': typeof import('node:fs');
  'node:crypto': typeof import('node:crypto');
  'node:stream': typeof import('node:stream');
}

/**
 * One of Node's own modules, taken as it is (CommonJS) rather than imported: an ES import of node:fs builds its module
 * namespace, which loads fs/promises, streams and readline (34 of Node's internal modules), node:crypto 40 and
 * node:stream 19, into every command line, `evidence --help` included (issue 28). `process.getBuiltinModule` (Node
 * 20.16, 22.3 and later) where the runtime has it; on an older Node, which evidence warns of but still runs on, `require`.
 */
export function builtinModule<K extends keyof Builtins>(id: K): Builtins[K] {
  const own = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return (own ? own.call(process, id) : createRequire(import.meta.url)(id)) as Builtins[K];
}
