/**
 * The environment a command runs in, handed down as a value: commands take it
 * as an option and never read `process.env` themselves, so what they see is
 * what a test or a caller gave them. The one definition of it.
 */
export type Env = Record<string, string | undefined>;
