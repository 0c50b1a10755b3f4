/**
 * The Services of one role: the two traffic Services its Delivery moves requests between
 * (stable/canary or active/preview) and the metrics Service the ServiceMonitor selects.
 */
import { Construct } from 'constructs';
import { IntOrString, KubeService } from 'cdk8s-plus-28/lib/imports/k8s';
import { DeliveryServices } from './delivery';
import { HTTP_PORT_NAME, METRICS_PORT, METRICS_PORT_NAME } from './labels';

/** Label telling the role's Services apart, so the ServiceMonitor picks one of them. */
const SERVICE_PURPOSE_LABEL = 'course-companion/service';

export interface RoleServicesProps {
  readonly role: 'web' | 'api';
  /** The role's HTTP port. */
  readonly port: number;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Names and purposes of the traffic Services, from the role's Delivery. */
  readonly traffic: DeliveryServices;
}

export class RoleServices extends Construct {
  /** Labels of the metrics Service, for the ServiceMonitor's selector. */
  readonly metricsServiceLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RoleServicesProps) {
    super(scope, id);
    const { podLabels } = props;
    for (const { name, purpose } of [props.traffic.stable, props.traffic.preview]) {
      new KubeService(this, name, {
        metadata: { name, labels: { ...podLabels, [SERVICE_PURPOSE_LABEL]: purpose } },
        spec: {
          type: 'ClusterIP',
          // Argo Rollouts adds the rollouts-pod-template-hash to these selectors so
          // each Service holds exactly one version.
          selector: { ...podLabels },
          ports: [{ name: HTTP_PORT_NAME, port: props.port, targetPort: IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP' }],
        },
      });
    }
    this.metricsServiceLabels = { ...podLabels, [SERVICE_PURPOSE_LABEL]: 'metrics' };
    new KubeService(this, `${props.role}-metrics`, {
      metadata: { name: `${props.role}-metrics`, labels: { ...this.metricsServiceLabels } },
      spec: {
        type: 'ClusterIP',
        selector: { ...podLabels },
        ports: [{ name: METRICS_PORT_NAME, port: METRICS_PORT, targetPort: IntOrString.fromString(METRICS_PORT_NAME), protocol: 'TCP' }],
      },
    });
  }
}
