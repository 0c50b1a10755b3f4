/**
 * The objects of one check run, indexed for the reference rules: pods, the pods that
 * serve, and the Secret keys each ExternalSecret produces.
 */
import { podTemplatesOf, SERVING_WORKLOAD_KINDS, type PodTemplate, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';

/** Produced secret keys; `any` when an ExternalSecret pulls a whole remote secret (dataFrom). */
export type SecretKeys = Set<string> | 'any';

export class ObjectIndex {
  readonly pods: PodTemplate[];
  readonly servingPods: PodTemplate[];
  readonly producedSecrets = new Map<string, SecretKeys>();

  constructor(readonly objects: readonly ManifestObject[]) {
    this.pods = objects.flatMap(podTemplatesOf);
    this.servingPods = this.pods.filter((pod) => SERVING_WORKLOAD_KINDS.includes(pod.manifest.object.kind));
    for (const { object } of objects) {
      if (object?.kind === 'ExternalSecret' && groupOf(object.apiVersion) === 'external-secrets.io') {
        const name = object.spec?.target?.name ?? nameOf(object);
        this.producedSecrets.set(`${namespaceOf(object)}/${name}`, externalSecretKeys(object.spec ?? {}));
      }
    }
  }

  find(group: string, kind: string, namespace: string | undefined, name: string): ManifestObject | undefined {
    return this.objects.find(
      ({ object }) =>
        object?.kind === kind &&
        groupOf(object.apiVersion) === group &&
        nameOf(object) === name &&
        (namespace === undefined || namespaceOf(object) === namespace),
    );
  }

  podsIn(namespace: string): PodTemplate[] {
    return this.servingPods.filter((pod) => pod.namespace === namespace);
  }
}

/**
 * The keys of the Secret an ExternalSecret writes: its template's keys when it has a
 * template (the default mergePolicy Replace keeps only those), else each data secretKey.
 */
function externalSecretKeys(spec: any): SecretKeys {
  if (spec.dataFrom !== undefined && spec.dataFrom.length > 0) return 'any';
  const template = spec.target?.template;
  if (template?.templateFrom !== undefined && template.templateFrom.length > 0) return 'any';
  const dataKeys: string[] = (spec.data ?? []).map((d: { secretKey?: string }) => d.secretKey);
  if (template?.data === undefined) return new Set(dataKeys);
  const templateKeys = Object.keys(template.data);
  return new Set(template.mergePolicy === 'Merge' ? [...templateKeys, ...dataKeys] : templateKeys);
}
