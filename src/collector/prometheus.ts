/**
 * What the SLO collector needs of Prometheus: one instant query. The client
 * that speaks HTTP is src/transport/prometheus.ts; commands wire it in.
 */

/** Defined in core (src/core/services.ts), where the transport that implements them sees them too. */
export type { PromQueryData, PrometheusClient } from '../core/services.js';
