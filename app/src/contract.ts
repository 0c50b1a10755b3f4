/**
 * The ports of docs/contracts.md ("Process and image"), in one place for both halves:
 * the app listens on them (config.ts defaults, ROLE=all in development) and the charts
 * import them for containers, Services, probes and NetworkPolicies
 * (charts/constructs/labels.ts). Plain data: the image never depends on the charts.
 * app/Dockerfile and docs/contracts.md cannot import; test/app/contract.test.ts reads them.
 */

/** The port each role serves HTTP on (`PORT`). */
export const ROLE_PORTS = { web: 3000, api: 8000 } as const;

/** `/metrics` of both roles (`METRICS_PORT`); never routed by the gateway. */
export const METRICS_PORT = 9464;
