/**
 * charts/cluster.yaml: a bad value stops synth naming the file and the field, and the
 * environment files and the cluster file must agree on each environment's store.
 */
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { ClusterConfigError, parseCluster, storeOf } from '../../charts/config/cluster';
import { loadEnvironment } from '../../charts/config/environment';

const REPO = resolve(__dirname, '../..');
const FILE = 'charts/cluster.yaml';
const data = () => parse(readFileSync(join(REPO, FILE), 'utf8'));
const staging = () => loadEnvironment(join(REPO, 'charts/environments/staging.yaml'));

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof ClusterConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ClusterConfigError');
}

describe('charts/cluster.yaml', () => {
  it('is valid and defines a store for every environment', () => {
    const config = parseCluster(data(), FILE);
    expect(storeOf(config, staging()).name).toBe('course-companion-staging');
  });

  it.each([
    [
      'a plugin location that is not the pinned release',
      (d: any) => (d.argoRollouts.gatewayApiPlugin.location = d.argoRollouts.gatewayApiPlugin.location.replace('v0.15.0', 'v0.14.1')),
      'argoRollouts.gatewayApiPlugin.location: expected a release asset under',
    ],
    [
      'a short plugin checksum',
      (d: any) => (d.argoRollouts.gatewayApiPlugin.sha256 = 'abc'),
      'argoRollouts.gatewayApiPlugin.sha256: expected a sha256 checksum',
    ],
    [
      'a signer that is not a GitHub workflow identity',
      (d: any) => (d.imagePolicies.policies[0].signer.subject = 'someone@example.com'),
      'imagePolicies.policies.0.signer.subject: expected a GitHub workflow identity',
    ],
    [
      'an unknown key',
      (d: any) => (d.externalSecrets.vault.token = 'x'),
      'externalSecrets.vault: unknown key "token": expected only the keys the schema defines',
    ],
  ])('refuses %s, naming the field', (_name, edit, expected) => {
    const d = data();
    edit(d);
    const message = problemOf(() => parseCluster(d, FILE));
    expect(message).toContain(`${FILE}: invalid cluster file`);
    expect(message).toContain(expected);
  });

  it('refuses an environment whose storeName is not the store generated for it', () => {
    const config = parseCluster(data(), FILE);
    const env = staging();
    const message = problemOf(() => storeOf(config, { ...env, secrets: { ...env.secrets, storeName: 'course-companion-production' } }));
    expect(message).toContain(
      'externalSecrets.stores.staging.name: expected "course-companion-production" (secrets.storeName in charts/environments/staging.yaml), got "course-companion-staging"',
    );
  });

  it('refuses two environments sharing a Vault role', () => {
    const d = data();
    d.externalSecrets.stores.staging.vaultRole = d.externalSecrets.stores.production.vaultRole;
    const message = problemOf(() => storeOf(parseCluster(d, FILE), staging()));
    expect(message).toContain(
      'externalSecrets.stores.staging: expected a store, Vault role and ServiceAccount of its own, shared with "production"',
    );
  });

  it('names the plugin the Rollouts use', () => {
    const rollout = readFileSync(join(REPO, 'dist/production/rollout-api.yaml'), 'utf8');
    expect(rollout).toContain(`${parseCluster(data(), FILE).argoRollouts.gatewayApiPlugin.name}:`);
  });
});
