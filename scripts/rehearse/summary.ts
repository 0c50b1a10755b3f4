import { FAULTS, rehearse } from './index';

/** Speed of the rehearsals in a PR description: production's canary in under a minute. */
export const SUMMARY_SPEED = 40;

/**
 * One line per fault for a pull-request description (`npm run promote -- --rehearse`):
 * what Argo Rollouts would decide for `env`'s generated plan, and how long it took here.
 */
export async function rehearsalSummary(env: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const lines = [
    `**Rehearsal** (\`npm run rehearse -- --env ${env} --speed ${SUMMARY_SPEED} --fault <fault>\`, this checkout's app and \`dist/${env}\`):`,
    '',
  ];
  for (const fault of FAULTS) {
    log(`rehearsing ${env} with fault ${fault}…`);
    const timeline = await rehearse({ env, fault, speed: SUMMARY_SPEED });
    const d = timeline.decision!;
    lines.push(
      `- \`${fault}\`: **${d.outcome}**${d.outcome === 'promoted' ? '' : ` at step ${d.step}`}: ${d.reason} (${timeline.wallSeconds?.toFixed(0)} s)`,
    );
  }
  lines.push('');
  return lines;
}
