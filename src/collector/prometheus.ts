/**
 * What the SLO collector needs of Prometheus: one instant query. The client
 * that speaks HTTP is src/transport/prometheus.ts; commands wire it in.
 */

/** One instant-query answer, as Prometheus gives it (`data` of /api/v1/query). */
export interface PromQueryData {
  resultType: string;
  result: unknown;
}

/** The outside service, behind a small interface: tests run a real Prometheus on loopback. */
export interface PrometheusClient {
  /** Instant query at `time`; rejects with a CollectError for any failure. */
  query(expr: string, time: Date): Promise<PromQueryData>;
  /** The server, without credentials, for the record. */
  readonly url: string;
}
