/**
 * Whether NetworkPolicies let one pod open a TCP connection to another, as the
 * Kubernetes NetworkPolicy API defines it (kubernetes.io/docs/concepts/services-networking/
 * network-policies): a pod no policy selects for a direction is open in that direction;
 * once one does, only what some selecting policy's rules allow gets through, and a
 * connection needs both the source's egress and the destination's ingress. A rule's
 * missing `to`/`from` or `ports` matches everything; a peer with both selectors matches
 * their intersection. ipBlock peers never match a pod here: pod addresses are unknown
 * before run time, and our ipBlocks (the internet, managed databases) exclude the
 * cluster's ranges on purpose.
 */
import { groupOf, namespaceOf, selectorMatches, type ManifestObject } from '../manifest';

/** A pod as a policy sees it: its labels, namespace and named container ports. */
export interface PodEnd {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container port numbers by name, to resolve named ports in rules. */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

type Direction = 'Ingress' | 'Egress';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function policiesSelecting(objects: readonly ManifestObject[], pod: PodEnd, direction: Direction): any[] {
  return objects
    .map((m) => m.object)
    .filter((o) => o?.kind === 'NetworkPolicy' && groupOf(o.apiVersion) === 'networking.k8s.io')
    .filter((o) => namespaceOf(o) === pod.namespace && selectorMatches(o.spec?.podSelector ?? {}, { ...pod.labels }))
    .filter((o) => policyTypes(o).includes(direction));
}

/** policyTypes as the API server defaults it: Ingress always, Egress when rules exist. */
function policyTypes(policy: any): Direction[] {
  if (Array.isArray(policy.spec?.policyTypes) && policy.spec.policyTypes.length > 0) return policy.spec.policyTypes;
  return Array.isArray(policy.spec?.egress) && policy.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function peerMatches(peer: any, policyNamespace: string, other: PodEnd): boolean {
  if (peer?.ipBlock !== undefined) return false;
  const namespaceOk =
    peer?.namespaceSelector === undefined
      ? other.namespace === policyNamespace
      : selectorMatches(peer.namespaceSelector, { [NAMESPACE_NAME_LABEL]: other.namespace });
  const podOk = peer?.podSelector === undefined || selectorMatches(peer.podSelector, { ...other.labels });
  return namespaceOk && podOk;
}

function portMatches(rulePort: any, port: number, destination: PodEnd): boolean {
  if ((rulePort?.protocol ?? 'TCP') !== 'TCP') return false;
  if (rulePort?.port === undefined) return true;
  const first = typeof rulePort.port === 'string' ? destination.namedPorts?.[rulePort.port] : rulePort.port;
  if (first === undefined) return false;
  const last = typeof rulePort.endPort === 'number' ? rulePort.endPort : first;
  return port >= first && port <= last;
}

function allowedBy(policies: readonly any[], direction: Direction, other: PodEnd, port: number, destination: PodEnd): boolean {
  if (policies.length === 0) return true;
  const key = direction === 'Egress' ? 'egress' : 'ingress';
  const peersKey = direction === 'Egress' ? 'to' : 'from';
  return policies.some((policy) =>
    (policy.spec?.[key] ?? []).some((rule: any) => {
      const peers: any[] = rule?.[peersKey] ?? [];
      const ports: any[] = rule?.ports ?? [];
      return (
        (peers.length === 0 || peers.some((p) => peerMatches(p, namespaceOf(policy), other))) &&
        (ports.length === 0 || ports.some((p) => portMatches(p, port, destination)))
      );
    }),
  );
}

/** What blocks a TCP connection from `source` to `destination:port`; empty when it gets through. */
export function blockedConnection(objects: readonly ManifestObject[], source: PodEnd, destination: PodEnd, port: number): string[] {
  const blocks: string[] = [];
  if (!allowedBy(policiesSelecting(objects, source, 'Egress'), 'Egress', destination, port, destination)) {
    blocks.push(`no NetworkPolicy selecting the source pods allows egress to the destination on port ${port}`);
  }
  if (!allowedBy(policiesSelecting(objects, destination, 'Ingress'), 'Ingress', source, port, destination)) {
    blocks.push(`no NetworkPolicy selecting the destination pods allows ingress from the source on port ${port}`);
  }
  return blocks;
}
