import { isPlainObject } from './fields';

/** A pod spec found inside an object, with the path it sits at. */
export interface PodSpecAt {
  readonly path: string;
  readonly spec: Record<string, unknown>;
}

export interface ContainerAt {
  /** `<pod spec path>/<container name>`, stable across revisions. */
  readonly id: string;
  readonly container: Record<string, unknown>;
  readonly pod: Record<string, unknown>;
}

/**
 * Every pod spec in an object, wherever it sits: a Rollout's template, a CronJob's job
 * template, an AnalysisTemplate's smoke Job. Searching by shape rather than by kind
 * means a new workload kind cannot slip past the image and security checks.
 */
export function findPodSpecs(value: unknown, path = ''): PodSpecAt[] {
  if (Array.isArray(value)) {
    // Same path notation as the field diff: named items by name, others by position.
    return value.flatMap((item, index) =>
      findPodSpecs(item, `${path}[${isPlainObject(item) && typeof item.name === 'string' ? `name=${item.name}` : index}]`),
    );
  }
  if (!isPlainObject(value)) return [];
  if (Array.isArray(value.containers)) return [{ path: path || '(root)', spec: value }];
  return Object.entries(value).flatMap(([key, child]) => findPodSpecs(child, path ? `${path}.${key}` : key));
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function containersOf(path: string, spec: Record<string, unknown>): ContainerAt[] {
  return CONTAINER_LISTS.flatMap((list) => {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    return containers.filter(isPlainObject).map((container, index) => ({
      id: `${path}.${list}[${typeof container.name === 'string' ? `name=${container.name}` : index}]`,
      container,
      pod: spec,
    }));
  });
}

/** Every container of every pod spec in an object. */
export function findContainers(value: unknown): ContainerAt[] {
  return findPodSpecs(value).flatMap(({ path, spec }) => containersOf(path, spec));
}

/**
 * What is weak about a pod's security settings, one sentence per finding. Each
 * finding names the container so that "weakened" can be computed as the findings
 * present after a change and absent before it.
 */
export function securityFindings(value: unknown): string[] {
  const findings: string[] = [];
  for (const { path, spec } of findPodSpecs(value)) {
    const podContext = isPlainObject(spec.securityContext) ? spec.securityContext : {};
    for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[hostField] === true) findings.push(`${path}: ${hostField} is true`);
    }
    if (spec.automountServiceAccountToken !== false) {
      findings.push(`${path}: automountServiceAccountToken is not false`);
    }
    const volumes = Array.isArray(spec.volumes) ? spec.volumes.filter(isPlainObject) : [];
    for (const volume of volumes) {
      if (volume.hostPath !== undefined) findings.push(`${path}: volume ${String(volume.name)} is a hostPath`);
    }
    for (const { id, container } of containersOf(path, spec)) {
      const own = isPlainObject(container.securityContext) ? container.securityContext : {};
      const effective = (field: string): unknown => (own[field] !== undefined ? own[field] : podContext[field]);
      if (own.privileged === true) findings.push(`${id}: privileged is true`);
      if (own.allowPrivilegeEscalation !== false) findings.push(`${id}: allowPrivilegeEscalation is not false`);
      if (own.readOnlyRootFilesystem !== true) findings.push(`${id}: readOnlyRootFilesystem is not true`);
      if (effective('runAsNonRoot') !== true) findings.push(`${id}: runAsNonRoot is not true`);
      if (effective('runAsUser') === 0) findings.push(`${id}: runAsUser is 0 (root)`);
      const capabilities = isPlainObject(own.capabilities) ? own.capabilities : {};
      const dropped = Array.isArray(capabilities.drop) ? capabilities.drop : [];
      if (!dropped.includes('ALL')) findings.push(`${id}: capabilities.drop does not include ALL`);
      const added = Array.isArray(capabilities.add) ? capabilities.add : [];
      for (const capability of added) findings.push(`${id}: adds capability ${String(capability)}`);
      const seccomp = effective('seccompProfile');
      const seccompType = isPlainObject(seccomp) ? seccomp.type : undefined;
      if (seccompType !== 'RuntimeDefault' && seccompType !== 'Localhost') {
        findings.push(`${id}: seccompProfile is ${seccompType === undefined ? 'unset' : String(seccompType)}`);
      }
    }
  }
  return findings;
}
