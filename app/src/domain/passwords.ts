import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt from node:crypto (no native dependency). The stored
 * form names its parameters, `scrypt$N$r$p$salt$hash`, so they can be raised later,
 * old hashes still verify, and `needsRehash` tells sign-in to upgrade them.
 */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * OWASP Password Storage Cheat Sheet, scrypt: "a minimum CPU/memory cost parameter of
 * (2^17), a minimum block size of 8 (1024 bytes), and a parallelization parameter of 1",
 * or one of the equally strong settings it lists beside it, of which this is
 * "N=2^14 (16 MiB), r=8 (1024 bytes), p=5". Why not 2^17: 128·N·r is 128 MiB per hash,
 * four at once on libuv's pool, and above Node's default maxmem of 32 MiB, with which the
 * previous release verifies; a learner whose hash was upgraded to 2^17 could not sign in
 * after a rollback. At 16 MiB both releases verify every hash.
 * Only a test configuration sets a lower cost, to keep its suites fast.
 */
export const OWASP_SCRYPT_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 5 };
const KEY_LENGTH = 64;

function scrypt(password: string, salt: Buffer, keyLength: number, cost: ScryptCost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (128 MiB at the OWASP cost); Node refuses anything over
  // maxmem (32 MiB by default), so allow twice the need, as the Node docs advise headroom.
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 2 * 128 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !hashB64) return null;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // A stored cost far above ours would be a denial of service on sign-in.
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger) || cost.N > 2 ** 20 || cost.r > 16 || cost.p > 16) return null;
  return { cost, salt: Buffer.from(saltB64, 'base64'), hash: Buffer.from(hashB64, 'base64') };
}

export async function hashPassword(password: string, cost: ScryptCost = OWASP_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await scrypt(password, parsed.salt, parsed.hash.length, parsed.cost);
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

/**
 * Whether a hash was made with other parameters than `cost` (then rehash at sign-in):
 * the policy is one setting, so a weaker hash is raised and a hash too costly for the
 * memory budget is brought back to it.
 */
export function needsRehash(stored: string, cost: ScryptCost = OWASP_SCRYPT_COST): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  return parsed.cost.N !== cost.N || parsed.cost.r !== cost.r || parsed.cost.p !== cost.p;
}

/**
 * A hash of nothing anyone knows, at the current cost. Login checks unknown e-mail
 * addresses against it so that "no such account" takes as long as "wrong password".
 */
const decoys = new Map<string, Promise<string>>();
export function decoyHash(cost: ScryptCost = OWASP_SCRYPT_COST): Promise<string> {
  const key = `${cost.N}/${cost.r}/${cost.p}`;
  let decoy = decoys.get(key);
  if (!decoy) {
    decoy = hashPassword(randomBytes(16).toString('hex'), cost);
    decoys.set(key, decoy);
  }
  return decoy;
}
