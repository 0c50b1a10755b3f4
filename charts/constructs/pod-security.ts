/**
 * The hardened pod and container settings every workload of the app uses (Pod Security
 * `restricted` and then some). Plain objects, so they fit the generated types of a
 * Kubernetes Job, an Argo Rollout's pod template and an AnalysisTemplate's Job alike.
 */
import { APP_UID } from './labels';

/** Pod-level: non-root fixed UID/GID, default seccomp profile. */
export function restrictedPodSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: APP_UID,
    runAsGroup: APP_UID,
    fsGroup: APP_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level: read-only root, no privilege escalation, no capabilities. */
export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: APP_UID,
    runAsGroup: APP_UID,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The only writable path: an emptyDir at /tmp (the root filesystem is read-only). */
export const TMP_VOLUME_NAME = 'tmp';
export function tmpVolume() {
  return { name: TMP_VOLUME_NAME, emptyDir: {} };
}
export function tmpVolumeMount() {
  return { name: TMP_VOLUME_NAME, mountPath: '/tmp' };
}

/** `repository@sha256:…`: the image by digest, never by a mutable tag. */
export function imageReference(image: { readonly repository: string; readonly digest: string }): string {
  return `${image.repository}@${image.digest}`;
}
