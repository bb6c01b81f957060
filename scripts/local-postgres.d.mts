export interface Postgres {
  url: string;
  stop: () => Promise<void>;
}
export function startPostgres(): Promise<Postgres | { reason: string }>;
