/** The environment's Namespace, with Pod Security Admission at `restricted`, never pruned or deleted by Argo CD. */
import { Construct } from 'constructs';
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { APP_NAME, SYNC_WAVE, syncWave } from './labels';

export interface CourseNamespaceProps {
  readonly name: string;
  /**
   * Pod Security Standard enforced, audited and warned about.
   * @default 'restricted'
   */
  readonly podSecurityLevel?: 'restricted' | 'baseline';
  /** More labels, e.g. the opt-in of an admission controller. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

export class CourseNamespace extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: CourseNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    const level = props.podSecurityLevel ?? 'restricted';
    new KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        annotations: {
          ...syncWave(SYNC_WAVE.namespace),
          // Never deleted by Argo CD: not when its file disappears from git (Prune=false;
          // the app shows OutOfSync instead) and not when the Application is deleted with
          // cascade (Delete=false). Deleting a namespace deletes every object in it,
          // production's included. Options combine comma-separated in one annotation
          // (gitops-engine resource.GetAnnotationCSVs; argo-cd docs/user-guide/sync-options.md).
          'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        },
        labels: {
          'app.kubernetes.io/part-of': APP_NAME,
          // The API server rejects any pod that is not `restricted`, so a weakened
          // security context fails at admission even if it slipped past review.
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/warn-version': 'latest',
          ...props.labels,
        },
      },
    });
  }
}
