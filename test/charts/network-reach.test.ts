/**
 * The NetworkPolicy model behind rule `analysis-job-network` (charts/checks/network-reach.ts),
 * on the cases the Kubernetes NetworkPolicy API defines.
 */
import { blockedConnection } from '../../charts/checks/network-reach';
import type { ManifestObject } from '../../charts/checks';

const policy = (name: string, spec: object): ManifestObject => ({
  file: `${name}.yaml`,
  object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec },
});
const job = { namespace: 'shop', labels: { component: 'check' } };
const api = { namespace: 'shop', labels: { component: 'api' }, namedPorts: { http: 8000 } };
const denyAll = policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const egressToApi = (ports: object[]) =>
  policy('check', {
    podSelector: { matchLabels: { component: 'check' } },
    policyTypes: ['Ingress', 'Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { component: 'api' } } }], ports }],
  });
const ingressFromCheck = (peer: object) =>
  policy('api', {
    podSelector: { matchLabels: { component: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [peer], ports: [{ port: 8000 }] }],
  });

describe('blockedConnection', () => {
  it('lets anything through when no policy selects either pod', () => {
    expect(blockedConnection([], job, api, 8000)).toEqual([]);
  });

  it('blocks both directions under a default deny', () => {
    expect(blockedConnection([denyAll], job, api, 8000)).toHaveLength(2);
  });

  it('needs both the egress and the ingress rule', () => {
    const both = [denyAll, egressToApi([{ port: 8000 }]), ingressFromCheck({ podSelector: { matchLabels: { component: 'check' } } })];
    expect(blockedConnection(both, job, api, 8000)).toEqual([]);
    expect(blockedConnection(both.slice(0, 2), job, api, 8000)).toEqual([expect.stringContaining('ingress')]);
    expect(blockedConnection([both[0], both[2]], job, api, 8000)).toEqual([expect.stringContaining('egress')]);
  });

  it('resolves a named port against the destination and honours endPort', () => {
    const ingress = ingressFromCheck({ podSelector: { matchLabels: { component: 'check' } } });
    expect(blockedConnection([denyAll, egressToApi([{ port: 'http' }]), ingress], job, api, 8000)).toEqual([]);
    expect(blockedConnection([denyAll, egressToApi([{ port: 7000, endPort: 7999 }]), ingress], job, api, 8000)).toHaveLength(1);
    expect(blockedConnection([denyAll, egressToApi([{ port: 8000, protocol: 'UDP' }]), ingress], job, api, 8000)).toHaveLength(1);
  });

  it('reads a peer with only a namespaceSelector as every pod of that namespace', () => {
    const other = { namespace: 'monitoring', labels: { app: 'prometheus' } };
    const fromMonitoring = ingressFromCheck({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } });
    expect(blockedConnection([fromMonitoring], other, api, 8000)).toEqual([]);
    expect(blockedConnection([fromMonitoring], job, api, 8000)).toEqual([expect.stringContaining('ingress')]);
  });

  it('never matches a pod with an ipBlock peer', () => {
    const toAnywhere = policy('check', {
      podSelector: { matchLabels: { component: 'check' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    expect(blockedConnection([toAnywhere], job, api, 8000)).toEqual([expect.stringContaining('egress')]);
  });
});
