/** The environment's Namespace, with Pod Security Admission at `restricted`. */
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
        annotations: syncWave(SYNC_WAVE.namespace),
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
        },
      },
    });
  }
}
