import { isScalar, parseDocument, Scalar } from 'yaml';

/** The release pin of an environment file: `image: { repository, digest }`. */
export interface ImagePin {
  readonly repository: string;
  readonly digest: string;
}

export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function imageReference(pin: ImagePin): string {
  return `${pin.repository}@${pin.digest}`;
}

/**
 * Which image of the environment file: the app's (`image`) or the backup jobs'
 * (`backup.image`, built by .github/workflows/backup-image.yml).
 */
export type PinnedImage = 'app' | 'backup';
export const PIN_PATHS: Readonly<Record<PinnedImage, readonly string[]>> = { app: ['image'], backup: ['backup', 'image'] };

function scalarAt(text: string, file: string, key: 'repository' | 'digest', which: PinnedImage): Scalar {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const path = [...PIN_PATHS[which], key];
  const node = doc.getIn(path, true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) {
    throw new Error(`${file}: ${path.join('.')} is missing or not a string`);
  }
  return node;
}

export function readPin(text: string, file: string, which: PinnedImage = 'app'): ImagePin {
  return {
    repository: scalarAt(text, file, 'repository', which).value as string,
    digest: scalarAt(text, file, 'digest', which).value as string,
  };
}

/** Rewrites one scalar in place, keeping its quoting style. */
function replaceScalar(text: string, node: Scalar, value: string): string {
  const [start, end] = node.range!;
  const rendered = node.type === Scalar.QUOTE_DOUBLE ? JSON.stringify(value) : node.type === Scalar.QUOTE_SINGLE ? `'${value}'` : value;
  return text.slice(0, start) + rendered + text.slice(end);
}

/**
 * Sets `image.repository` and `image.digest`. The Document API finds the two scalars;
 * only their characters are replaced, so comments, key order, flow maps and blank
 * lines elsewhere in the file stay byte-for-byte as they were and the pull request
 * shows exactly the pin.
 */
export function writePin(text: string, file: string, pin: ImagePin, which: PinnedImage = 'app'): string {
  // Each replacement parses the text again, so the offsets used are always current.
  let result = replaceScalar(text, scalarAt(text, file, 'digest', which), pin.digest);
  result = replaceScalar(result, scalarAt(result, file, 'repository', which), pin.repository);
  const check = readPin(result, file, which);
  if (check.repository !== pin.repository || check.digest !== pin.digest) {
    throw new Error(`${file}: rewriting the image pin did not read back as ${imageReference(pin)}`);
  }
  return result;
}
