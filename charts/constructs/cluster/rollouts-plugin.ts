/**
 * What Argo Rollouts needs to move HTTPRoute weights: the Gateway API traffic-router
 * plugin registered in its ConfigMap, and RBAC for the plugin's calls.
 */
import { Construct } from 'constructs';
import { KubeClusterRole, KubeClusterRoleBinding, KubeConfigMap } from 'cdk8s-plus-28/lib/imports/k8s';
import { stringify } from 'yaml';
import { APP_NAME } from '../labels';

/**
 * The ConfigMap the controller reads its plugins from. Name and namespace are fixed:
 * Argo Rollouts reads `argo-rollouts-config` in its own namespace
 * (argoproj/argo-rollouts utils/defaults/defaults.go DefaultRolloutsConfigMapName,
 * commit 9f8d111d).
 */
export const ROLLOUTS_CONFIG_MAP = 'argo-rollouts-config';

export interface GatewayApiPluginProps {
  /** Namespace of the Argo Rollouts controller. */
  readonly namespace: string;
  /** Key the Rollouts use under `trafficRouting.plugins`, e.g. `argoproj-labs/gatewayAPI`. */
  readonly name: string;
  /** Release asset URL of the pinned plugin binary. */
  readonly location: string;
  /** Checksum the controller verifies the download against. @default none (not verified) */
  readonly sha256?: string;
}

/**
 * The `trafficRouterPlugins` entry, in the format of argo-rollouts
 * utils/plugin/types/types.go `PluginItem` (name, location, sha256; commit 9f8d111d).
 * With a 64-digit sha256 the controller compares sha256(binary) and refuses to start
 * the plugin on a mismatch (utils/plugin/downloader.go checkShaOfPlugin).
 */
export class GatewayApiPluginConfig extends Construct {
  readonly pluginName: string;

  constructor(scope: Construct, id: string, props: GatewayApiPluginProps) {
    super(scope, id);
    this.pluginName = props.name;
    const entry = { name: props.name, location: props.location, ...(props.sha256 ? { sha256: props.sha256 } : {}) };
    new KubeConfigMap(this, 'Resource', {
      metadata: {
        name: ROLLOUTS_CONFIG_MAP,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': APP_NAME },
      },
      data: { trafficRouterPlugins: stringify([entry], { lineWidth: 0 }) },
    });
  }
}

export interface GatewayApiPluginRbacProps {
  readonly controllerNamespace: string;
  readonly controllerServiceAccount: string;
}

/**
 * The plugin runs inside the controller's pod, with its ServiceAccount. For routes
 * named explicitly in the Rollout (`httpRoutes`, no label selector) it only gets and
 * updates HTTPRoutes: pkg/plugin/httproute.go calls Get and Update, never Patch, Watch
 * or Delete; List is used only for `httpRouteSelector` discovery and Services only for
 * Experiments (pkg/plugin/plugin.go, experiment.go; rollouts-plugin-trafficrouter-gatewayapi
 * v0.15.0). Granting nothing more keeps a compromised controller from rewriting other
 * kinds of routes.
 */
export class GatewayApiPluginRbac extends Construct {
  static readonly RULES = [{ apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['get', 'update'] }];

  constructor(scope: Construct, id: string, props: GatewayApiPluginRbacProps) {
    super(scope, id);
    const name = 'argo-rollouts-gateway-api-plugin';
    const labels = { 'app.kubernetes.io/part-of': APP_NAME };
    new KubeClusterRole(this, 'Role', {
      metadata: { name, labels },
      rules: GatewayApiPluginRbac.RULES.map((rule) => ({
        ...rule,
        apiGroups: [...rule.apiGroups],
        resources: [...rule.resources],
        verbs: [...rule.verbs],
      })),
    });
    new KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: props.controllerServiceAccount, namespace: props.controllerNamespace }],
    });
  }
}
