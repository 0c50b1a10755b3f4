/**
 * `node app/build/smoke.js <base-url> [role]`: the rollout analysis Job's check. Exits
 * 0 when the role answers as it should, 1 otherwise, printing one line per check.
 */
export interface SmokeCheck {
  name: string;
  ok: boolean;
  detail: string;
}

type Probe = { name: string; path: string; expect: (res: Response, body: string) => string | null };

const json = (body: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(body) as Record<string, unknown> | null;
  } catch {
    return null;
  }
};

const PROBES: Record<'api' | 'web', Probe[]> = {
  api: [
    { name: 'liveness', path: '/livez', expect: (r) => (r.status === 200 ? null : `status ${r.status}`) },
    { name: 'readiness', path: '/readyz', expect: (r) => (r.status === 200 ? null : `status ${r.status}`) },
    {
      name: 'health',
      path: '/health',
      expect: (r, b) => {
        const h = json(b);
        return r.status === 200 && h && ['ok', 'degraded'].includes(String(h.status)) && h.version
          ? null
          : `status ${r.status} ${b.slice(0, 200)}`;
      },
    },
    {
      name: 'plans',
      path: '/api/v1/plans',
      expect: (r, b) => ((json(b)?.plans as unknown[] | undefined)?.length === 4 ? null : `status ${r.status}`),
    },
    {
      name: 'auth required',
      path: '/api/v1/me',
      expect: (r, b) => (r.status === 401 && json(b)?.code === 'unauthorized' ? null : `expected 401, got ${r.status}`),
    },
  ],
  web: [
    { name: 'liveness', path: '/livez', expect: (r) => (r.status === 200 ? null : `status ${r.status}`) },
    { name: 'readiness', path: '/readyz', expect: (r) => (r.status === 200 ? null : `status ${r.status}`) },
    {
      name: 'home page',
      path: '/',
      expect: (r, b) => (r.status < 400 && /<html/i.test(b) ? null : `status ${r.status}`),
    },
  ],
};

export async function runSmoke(baseUrl: string, role: 'api' | 'web', timeoutMs = 5000): Promise<SmokeCheck[]> {
  const results: SmokeCheck[] = [];
  for (const probe of PROBES[role]) {
    try {
      const res = await fetch(new URL(probe.path, baseUrl), { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      const problem = probe.expect(res, await res.text());
      results.push({ name: probe.name, ok: problem === null, detail: problem ?? `${res.status}` });
    } catch (err) {
      results.push({ name: probe.name, ok: false, detail: (err as Error).message });
    }
  }
  return results;
}

async function main(argv: string[]): Promise<number> {
  const [baseUrl, role = 'api'] = argv;
  if (!baseUrl || !URL.canParse(baseUrl) || (role !== 'api' && role !== 'web')) {
    process.stderr.write('usage: smoke <base-url> [api|web]\n');
    return 2;
  }
  const results = await runSmoke(baseUrl, role);
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${role} ${r.name}: ${r.detail}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
