// pg's CommonJS entry, imported by path (src/transport/release-index-store.ts): the same module as 'pg'.
declare module 'pg/lib/index.js' {
  import pg from 'pg';
  export default pg;
}
