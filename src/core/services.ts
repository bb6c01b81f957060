/**
 * The small interfaces outside services come in behind (docs/architecture.md):
 * the layer that uses a service (the SLO collector, the signer) and the
 * transport that speaks to it both see them here, so transport imports no
 * collector or signer module for them. Types only.
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

/** Where the OIDC identity token for keyless signing comes from (src/signer/identity.ts). */
export interface IdentityProvider {
  getToken(): Promise<string>;
}
