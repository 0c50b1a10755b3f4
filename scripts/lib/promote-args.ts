/**
 * The command line of `npm run promote`: what to promote, where, and how far.
 */
import { ArgumentError, parseCommandLine } from './args';
import { PIN_PATHS, type PinnedImage } from './pin';

export interface PromoteOptions {
  readonly from?: string;
  readonly to: string;
  /** Set this digest instead of copying another environment's pin (image builds). */
  readonly digest?: string;
  /** With `digest`: the repository; default: the target's current one. */
  readonly repository?: string;
  /** Which pin: the app's `image` or the backup jobs' `backup.image`. @default 'app' */
  readonly image?: PinnedImage;
  readonly dryRun: boolean;
  /** Append the outcome of `npm run rehearse` for each fault (minutes on two cores). */
  readonly rehearse?: true;
}

const USAGE =
  'usage: npm run promote -- --from <env> --to <env> [--image app|backup] [--dry-run] [--rehearse]\n' +
  '       npm run promote -- --to <env> --digest sha256:<64 hex> [--repository <repo>] [--image app|backup] [--dry-run] [--rehearse]';

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  digest: { type: 'string' },
  repository: { type: 'string' },
  image: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rehearse: { type: 'boolean', default: false },
} as const;

function readOptions(argv: readonly string[]) {
  try {
    return parseCommandLine(argv, OPTIONS).values;
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    const { kind, arg } = error.problem;
    throw new Error(`${kind === 'unknown' ? `unknown argument ${arg}` : `${arg} needs a value`}\n${USAGE}`);
  }
}

export function parsePromoteArgs(argv: readonly string[]): PromoteOptions {
  const values = readOptions(argv);
  if (!values.to) throw new Error(`--to is required\n${USAGE}`);
  if ((values.from === undefined) === (values.digest === undefined)) {
    throw new Error(`give exactly one of --from and --digest\n${USAGE}`);
  }
  if (values.repository && !values.digest) throw new Error(`--repository goes with --digest\n${USAGE}`);
  if (values.image !== undefined && !(values.image in PIN_PATHS)) throw new Error(`--image is "app" or "backup"\n${USAGE}`);
  const image = values.image as PinnedImage | undefined;
  return {
    from: values.from,
    to: values.to,
    digest: values.digest,
    repository: values.repository,
    ...(image ? { image } : {}),
    dryRun: values['dry-run'],
    ...(values.rehearse ? { rehearse: true as const } : {}),
  };
}
