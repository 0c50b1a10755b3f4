/**
 * A prometheus-operator ServiceMonitor scraping a role's metrics port.
 *
 * It selects one dedicated metrics Service per role, never the stable/canary pair:
 * outside a rollout both of those select the same pods, and every series would be
 * scraped twice.
 */
import { Construct } from 'constructs';
import { ServiceMonitor } from '../imports/servicemonitors-monitoring.coreos.com';
import { METRICS_PORT_NAME, SYNC_WAVE, syncWave } from './labels';

export interface CourseServiceMonitorProps {
  readonly name: string;
  /** Labels of the Service to scrape (exactly one Service per role carries them). */
  readonly serviceLabels: Readonly<Record<string, string>>;
  /** Labels the Prometheus' serviceMonitorSelector expects. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default '30s' */
  readonly interval?: string;
}

export class CourseServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: CourseServiceMonitorProps) {
    super(scope, id);
    if (Object.keys(props.serviceLabels).length === 0) {
      throw new Error(`ServiceMonitor ${props.name}: 'serviceLabels' must not be empty (it would select every Service)`);
    }
    new ServiceMonitor(this, 'Resource', {
      metadata: {
        name: props.name,
        annotations: syncWave(SYNC_WAVE.monitoring),
        ...(props.labels && Object.keys(props.labels).length > 0 ? { labels: { ...props.labels } } : {}),
      },
      spec: {
        selector: { matchLabels: { ...props.serviceLabels } },
        endpoints: [{ port: METRICS_PORT_NAME, path: '/metrics', interval: props.interval ?? '30s' }],
        // Becomes the series label rollouts_pod_template_hash, which lets the
        // AnalysisTemplates look at the new ReplicaSet's pods only.
        podTargetLabels: ['rollouts-pod-template-hash'],
      },
    });
  }
}
