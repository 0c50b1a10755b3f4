/**
 * Right-sizing rules (issue 17, item 5): every Rollout has a VerticalPodAutoscaler that
 * recommends requests, and a VPA never changes pods that an HPA scales. A VPA in any
 * mode but "Off" evicts (Recreate) or resizes (InPlace…) pods to its recommendation,
 * which moves the CPU requests the HPA's utilisation target is computed from; the two
 * would then chase each other (kubernetes/autoscaler, vertical-pod-autoscaler README,
 * "Known limitations"). A VPA whose target does not exist reports ConfigUnsupported and
 * recommends nothing, so a dangling targetRef is refused too.
 */
import { describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import type { Finding } from './types';

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'policy', rule, file, message });

type Ref = { apiVersion?: unknown; kind?: unknown; name?: unknown } | undefined;

const isKind = (m: ManifestObject, group: string, kind: string) => m.object?.kind === kind && groupOf(m.object?.apiVersion) === group;

/** Whether `ref` (in `namespace`) names `target`. */
const refersTo = (ref: Ref, namespace: string, target: ManifestObject) =>
  ref !== undefined &&
  ref.kind === target.object?.kind &&
  groupOf(ref.apiVersion) === groupOf(target.object?.apiVersion) &&
  ref.name === nameOf(target.object) &&
  namespace === namespaceOf(target.object);

function vpaFindings(vpa: ManifestObject, objects: readonly ManifestObject[]): Finding[] {
  const { file, object } = vpa;
  const ref = object.spec?.targetRef as Ref;
  const namespace = namespaceOf(object);
  const target = objects.find((m) => refersTo(ref, namespace, m));
  if (target === undefined) {
    return [
      finding('vpa-target', file, `${describeObject(object)}: targetRef ${String(ref?.kind)} ${String(ref?.name)} is not in this output`),
    ];
  }
  const hpa = objects.find(
    (m) =>
      isKind(m, 'autoscaling', 'HorizontalPodAutoscaler') && refersTo(m.object.spec?.scaleTargetRef as Ref, namespaceOf(m.object), target),
  );
  const mode: unknown = object.spec?.updatePolicy?.updateMode;
  if (hpa !== undefined && mode !== 'Off') {
    return [
      finding(
        'vpa-update-mode',
        file,
        `${describeObject(object)}: updateMode ${mode === undefined ? 'unset (Recreate)' : JSON.stringify(mode)} would resize pods that ${describeObject(hpa.object)} scales; use "Off" (recommendations only)`,
      ),
    ];
  }
  return [];
}

export function checkRightSizing(objects: readonly ManifestObject[]): Finding[] {
  const vpas = objects.filter((m) => isKind(m, 'autoscaling.k8s.io', 'VerticalPodAutoscaler'));
  const unsized = objects
    .filter((m) => isKind(m, 'argoproj.io', 'Rollout'))
    .filter((rollout) => !vpas.some((vpa) => refersTo(vpa.object.spec?.targetRef as Ref, namespaceOf(vpa.object), rollout)))
    .map((rollout) =>
      finding('rollout-vpa', rollout.file, `${describeObject(rollout.object)}: no VerticalPodAutoscaler recommends its requests`),
    );
  return [...vpas.flatMap((vpa) => vpaFindings(vpa, objects)), ...unsized];
}
