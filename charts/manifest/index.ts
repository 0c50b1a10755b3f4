/**
 * The one model of a Kubernetes manifest, shared by the synth checks (charts/checks),
 * `npm run diff` and `npm run promote`: loading, identity, pod discovery and the pod
 * security rules.
 */
export * from './object';
export * from './load';
export * from './pods';
export * from './security';
