/**
 * Private images (issue 11, point 12): with `image.pullSecretRemoteKey` set, an
 * ExternalSecret writes a dockerconfigjson Secret and every pod template names it; the
 * shipped environments (public packages) generate neither.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { checkManifests, formatFindings } from '../../charts/checks';
import { containersOf, podTemplatesOf } from '../../charts/manifest';
import { parseEnvironment } from '../../charts/config/environment';
import { synthesize } from '../../charts/main';

const REPO = resolve(__dirname, '../..');
const FILE = 'charts/environments/production.yaml';

describe('image pull secret', () => {
  it('is generated and named by every pod template when the environment file sets a remote key', () => {
    const data = parse(readFileSync(join(REPO, FILE), 'utf8'));
    data.image.pullSecretRemoteKey = 'course-companion/production/ghcr-pull';
    const env = parseEnvironment(data, FILE);
    // The cluster pieces and Argo CD objects come along: synth checks them together.
    const all = synthesize({ environments: [env] }).objects.map((o) => ({ file: o.path, object: o.manifest }));
    const objects = all.filter((o) => o.file.startsWith('dist/production/'));
    const secret = objects.find((o) => o.object.kind === 'ExternalSecret' && o.object.metadata.name === 'image-pull-secret')!.object;
    expect(secret.spec.target.template.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.spec.data).toEqual([{ secretKey: 'dockerconfigjson', remoteRef: { key: 'course-companion/production/ghcr-pull' } }]);
    const pods = objects.flatMap(podTemplatesOf);
    expect(pods.length).toBeGreaterThanOrEqual(6); // 2 Rollouts, migrate, 2 backups, analysis Jobs
    for (const pod of pods)
      expect({ where: pod.where, pull: pod.spec.imagePullSecrets }).toEqual({ where: pod.where, pull: [{ name: 'image-pull-secret' }] });
    expect(pods.flatMap(containersOf).length).toBeGreaterThan(0);
    expect(formatFindings(checkManifests(all))).toBe('');
  }, 120_000);

  it('is absent from the shipped environments, whose packages are public', () => {
    const objects = synthesize().objects;
    expect(objects.filter((o) => o.manifest.metadata?.name === 'image-pull-secret')).toEqual([]);
    expect(objects.flatMap((o) => podTemplatesOf({ file: o.path, object: o.manifest })).some((p) => p.spec.imagePullSecrets)).toBe(false);
  }, 120_000);
});
