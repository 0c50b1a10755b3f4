/**
 * Gateway exposure rules.
 *
 * `tls-min-version` (issue 11, point 7; specification "TLS 1.2 and 1.3 only"): every Gateway
 * listener that terminates TLS is covered by an Envoy Gateway ClientTrafficPolicy that
 * sets `tls.minVersion` to 1.2 or 1.3 in git, instead of relying on the proxy's default.
 *
 * Which policy applies to a listener follows Envoy Gateway v1.9.0
 * internal/gatewayapi/clienttrafficpolicy.go (translate): policies whose targetRef names
 * the listener (`sectionName`) are applied first and win over policies that target the
 * whole Gateway; a second policy for the same section or the same whole Gateway is
 * marked Conflicted and ignored, and which one loses depends on creation time, so two
 * candidates are reported as ambiguous.
 */
import { describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';

const VERSION_ORDER: Record<string, number> = { '1.0': 1, '1.1': 2, '1.2': 3, '1.3': 4 };
const MIN_VERSION = '1.2';

const finding = (file: string, message: string): Finding => ({ check: 'policy', rule: 'tls-min-version', file, message });

export function checkTls(objects: readonly ManifestObject[]): Finding[] {
  return [...versionFindings(objects), ...plainGatewayFindings(objects)];
}

function versionFindings(objects: readonly ManifestObject[]): Finding[] {
  const policies = objects.filter(
    (m) => m.object?.kind === 'ClientTrafficPolicy' && groupOf(m.object.apiVersion) === 'gateway.envoyproxy.io',
  );
  const findings: Finding[] = [];
  for (const m of objects) {
    const gateway = m.object;
    if (gateway?.kind !== 'Gateway' || groupOf(gateway.apiVersion) !== 'gateway.networking.k8s.io') continue;
    for (const listener of gateway.spec?.listeners ?? []) {
      const terminates =
        listener?.protocol === 'HTTPS' || (listener?.protocol === 'TLS' && (listener?.tls?.mode ?? 'Terminate') === 'Terminate');
      if (!terminates) continue;
      const where = `${describeObject(gateway)} listener "${listener?.name}" (${listener?.protocol})`;
      const candidates = policiesFor(policies, gateway, listener?.name);
      if (candidates.length === 0) {
        findings.push(
          finding(
            m.file,
            `${where} has no ClientTrafficPolicy, so its TLS versions are the proxy's default, not set in git (need tls.minVersion "${MIN_VERSION}" or higher)`,
          ),
        );
      } else if (candidates.length > 1) {
        findings.push(
          finding(
            m.file,
            `${where} is targeted by ${candidates.map((p) => describeObject(p.object)).join(' and ')}; Envoy Gateway applies only the oldest, so which TLS settings hold is not decided by git`,
          ),
        );
      } else {
        findings.push(...policyVersionFindings(candidates[0], where));
      }
    }
  }
  return findings;
}

/** The policies that apply to a listener: those naming its section, else those naming the whole Gateway. */
function policiesFor(policies: readonly ManifestObject[], gateway: any, listenerName: unknown): ManifestObject[] {
  const targeting = (section: boolean) =>
    policies.filter(
      (p) =>
        namespaceOf(p.object) === namespaceOf(gateway) &&
        targetsOf(p.object).some(
          (t: any) =>
            t?.group === 'gateway.networking.k8s.io' &&
            t?.kind === 'Gateway' &&
            t?.name === nameOf(gateway) &&
            (section ? t?.sectionName === listenerName : t?.sectionName === undefined),
        ),
    );
  const bySection = targeting(true);
  return bySection.length > 0 ? bySection : targeting(false);
}

function policyVersionFindings(policy: ManifestObject, where: string): Finding[] {
  const tls = policy.object.spec?.tls ?? {};
  const min = VERSION_ORDER[tls.minVersion];
  const max = tls.maxVersion === undefined ? VERSION_ORDER['1.3'] : VERSION_ORDER[tls.maxVersion];
  if (min === undefined || min < VERSION_ORDER[MIN_VERSION]) {
    return [
      finding(
        policy.file,
        `${describeObject(policy.object)} covers ${where} with tls.minVersion ${JSON.stringify(tls.minVersion ?? null)}; expected "${MIN_VERSION}" or "1.3"`,
      ),
    ];
  }
  if (max === undefined || max < min) {
    return [
      finding(
        policy.file,
        `${describeObject(policy.object)}: tls.maxVersion ${JSON.stringify(tls.maxVersion)} is below tls.minVersion ${JSON.stringify(tls.minVersion)}`,
      ),
    ];
  }
  return [];
}

function targetsOf(policy: any): any[] {
  const spec = policy.spec ?? {};
  return [...(Array.isArray(spec.targetRefs) ? spec.targetRefs : []), ...(spec.targetRef ? [spec.targetRef] : [])];
}

/**
 * `internal-gateway-exposed`: a Gateway with no TLS listener at all serves plain HTTP
 * only, which is fine inside the cluster and never outside it. Envoy Gateway gives every
 * Gateway a LoadBalancer Service unless the EnvoyProxy named in
 * `spec.infrastructure.parametersRef` sets `envoyService.type` (v1.9.0
 * api/v1alpha1/shared_types.go, KubernetesServiceSpec.Type, default LoadBalancer), so
 * such a Gateway must name one that makes it ClusterIP.
 */
function plainGatewayFindings(objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects) {
    const gateway = m.object;
    if (gateway?.kind !== 'Gateway' || groupOf(gateway.apiVersion) !== 'gateway.networking.k8s.io') continue;
    const listeners: any[] = gateway.spec?.listeners ?? [];
    if (listeners.length === 0 || listeners.some((l) => l?.protocol === 'HTTPS' || l?.protocol === 'TLS')) continue;
    const ref = gateway.spec?.infrastructure?.parametersRef;
    const proxy =
      ref?.group === 'gateway.envoyproxy.io' && ref?.kind === 'EnvoyProxy'
        ? objects.find(
            (o) => o.object?.kind === 'EnvoyProxy' && nameOf(o.object) === ref.name && namespaceOf(o.object) === namespaceOf(gateway),
          )
        : undefined;
    const type = proxy?.object.spec?.provider?.kubernetes?.envoyService?.type ?? 'LoadBalancer';
    if (type !== 'ClusterIP') {
      findings.push({
        check: 'policy',
        rule: 'internal-gateway-exposed',
        file: m.file,
        message:
          `${describeObject(gateway)} has only plain-HTTP listeners but its proxy Service would be ${type}` +
          (proxy === undefined ? ' (no EnvoyProxy in spec.infrastructure.parametersRef)' : ` (${describeObject(proxy.object)})`) +
          ': name an EnvoyProxy with envoyService.type ClusterIP so it is reachable only inside the cluster',
      });
    }
  }
  return findings;
}
