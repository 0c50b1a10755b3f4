import { ConfigError, loadConfig } from '../../app/src/config';

/** What `loadConfig` refuses in `env`, one line per variable; [] when it parses. */
export function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}
