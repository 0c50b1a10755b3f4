/**
 * Command-line arguments for the repository's commands (synth, promote, diff, bench):
 * `util.parseArgs` does the parsing; this turns its refusals into the commands' own
 * one-line messages ("unknown argument --force", "--to needs a value") instead of
 * Node's wording, which names neither the fix nor the usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What is wrong with a command line, as data; each command phrases it. */
export interface ArgumentProblem {
  /** `unknown`: an option the command does not have, or a positional it does not take. */
  readonly kind: 'unknown' | 'needs-value';
  /** The argument as typed, e.g. `--force`. */
  readonly arg: string;
}

export class ArgumentError extends Error {
  constructor(readonly problem: ArgumentProblem) {
    super(`${problem.kind === 'unknown' ? 'unknown argument' : 'missing value for'} ${problem.arg}`);
    this.name = 'ArgumentError';
  }
}

/**
 * `parseArgs` in strict mode; throws an `ArgumentError` naming the first bad argument.
 * A string option followed by something that starts with `-` (`--to --dry-run`) has no value.
 */
export function parseCommandLine<const O extends Options, const P extends boolean = false>(
  argv: readonly string[],
  options: O,
  allowPositionals?: P,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: P; strict: true }>> {
  const config = { args: [...argv], options, allowPositionals: (allowPositionals ?? false) as P, strict: true as const };
  try {
    return parseArgs(config);
  } catch (error) {
    const problem = firstProblem(argv, options, allowPositionals ?? false);
    if (problem) throw new ArgumentError(problem);
    throw error;
  }
}

function firstProblem(argv: readonly string[], options: Options, allowPositionals: boolean): ArgumentProblem | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option') {
      const spec = options[token.name] as Options[string] | undefined;
      if (!spec) return { kind: 'unknown', arg: token.rawName };
      if (spec.type === 'string' && (token.value === undefined || token.value.startsWith('-')))
        return { kind: 'needs-value', arg: token.rawName };
    } else if (token.kind === 'positional' && !allowPositionals) {
      return { kind: 'unknown', arg: token.value };
    }
  }
  return undefined;
}
