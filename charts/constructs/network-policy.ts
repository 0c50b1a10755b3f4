/**
 * NetworkPolicies: the namespace denies everything by default, and each workload gets
 * one policy that lists exactly what it may receive and reach (DESIGN.md, NetworkPolicy).
 */
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'cdk8s-plus-28/lib/imports/k8s';

/** Private ranges excluded from "the internet" so 443 egress cannot reach other workloads. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

/** Who is on the other end of a rule. Build with the static factories. */
export class NetworkPeer {
  /** Pods of this namespace carrying these labels. */
  static pods(labels: Record<string, string>): NetworkPeer {
    return new NetworkPeer([{ podSelector: { matchLabels: { ...labels } } }]);
  }
  /** Any pod in the named namespace (matched by its immutable name label). */
  static namespace(name: string): NetworkPeer {
    return new NetworkPeer([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }]);
  }
  /** Pods carrying these labels in the named namespace, e.g. one gateway's proxies. */
  static podsInNamespace(namespace: string, labels: Readonly<Record<string, string>>): NetworkPeer {
    if (Object.keys(labels).length === 0)
      throw new Error("NetworkPeer.podsInNamespace: 'labels' must not be empty (it would select every pod)");
    return new NetworkPeer([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        podSelector: { matchLabels: { ...labels } },
      },
    ]);
  }
  /** Addresses outside the cluster, e.g. a managed database. */
  static cidrs(cidrs: readonly string[]): NetworkPeer {
    if (cidrs.length === 0) throw new Error("NetworkPeer.cidrs: 'cidrs' must not be empty");
    return new NetworkPeer(cidrs.map((cidr) => ({ ipBlock: { cidr } })));
  }
  /** Any public address: 0.0.0.0/0 minus private and link-local ranges. */
  static internet(): NetworkPeer {
    return new NetworkPeer([{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }]);
  }
  /** The cluster DNS (kube-dns / CoreDNS in kube-system). */
  static clusterDns(): NetworkPeer {
    return new NetworkPeer([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ]);
  }
  private constructor(readonly peers: NetworkPolicyPeer[]) {}
}

/** A TCP or UDP port of a rule. */
export interface NetworkPortSpec {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** One allowance: these peers, on these ports. */
export interface NetworkRule {
  readonly peer: NetworkPeer;
  readonly ports: readonly NetworkPortSpec[];
}

/** DNS on UDP and TCP 53, which every workload needs. */
export const DNS_RULE: NetworkRule = {
  peer: NetworkPeer.clusterDns(),
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

export interface DefaultDenyNetworkPolicyProps {
  /** @default 'default-deny' */
  readonly name?: string;
}

/** Denies all ingress and egress for every pod of the namespace. */
export class DefaultDenyNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: DefaultDenyNetworkPolicyProps = {}) {
    super(scope, id);
    new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name ?? 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

export interface WorkloadNetworkPolicyProps {
  /** Name of the policy; by convention the workload's name. */
  readonly name: string;
  /** Labels of the pods the policy applies to. */
  readonly podLabels: Record<string, string>;
  /** Who may connect to these pods. @default none */
  readonly ingress?: readonly NetworkRule[];
  /** Where these pods may connect. DNS is always added. @default DNS only */
  readonly egress?: readonly NetworkRule[];
}

/** The allowances of one workload, on top of the namespace's default deny. */
export class WorkloadNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadNetworkPolicyProps) {
    super(scope, id);
    if (Object.keys(props.podLabels).length === 0) {
      throw new Error(`WorkloadNetworkPolicy ${props.name}: 'podLabels' must not be empty (it would select every pod)`);
    }
    const toPorts = (ports: readonly NetworkPortSpec[]): NetworkPolicyPort[] =>
      ports.map((p) => ({ port: IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
    new KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: (props.ingress ?? []).map((rule) => ({ from: rule.peer.peers, ports: toPorts(rule.ports) })),
        egress: [DNS_RULE, ...(props.egress ?? [])].map((rule) => ({ to: rule.peer.peers, ports: toPorts(rule.ports) })),
      },
    });
  }
}
