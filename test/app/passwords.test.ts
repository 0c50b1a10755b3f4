import { scrypt } from 'node:crypto';
import { loadConfig } from '../../app/src/config';
import { OWASP_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from '../../app/src/domain/passwords';

describe('password hashing', () => {
  it('defaults to an OWASP minimum for scrypt (N=2^14, r=8, p=5: 16 MiB) in every environment', () => {
    expect(OWASP_SCRYPT_COST).toEqual({ N: 16384, r: 8, p: 5 });
    expect(loadConfig({}).passwordHashCost).toEqual(OWASP_SCRYPT_COST);
  });

  it('hashes and verifies at that cost (within maxmem)', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$16384\$8\$5\$/);
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(verifyPassword('wrong horse battery staple', hash)).resolves.toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('marks a hash made with the old N=2^14 for an upgrade', async () => {
    const old = await hashPassword('correct horse battery staple', { N: 2 ** 14, r: 8, p: 1 });
    expect(needsRehash(old)).toBe(true);
    await expect(verifyPassword('correct horse battery staple', old)).resolves.toBe(true);
  });

  it('refuses a stored hash whose parameters would make sign-in a denial of service', async () => {
    await expect(verifyPassword('x', 'scrypt$1073741824$8$1$c2FsdA==$aGFzaA==')).resolves.toBe(false);
  });

  it('makes hashes the previous release can still verify, so a rollback keeps every learner able to sign in', async () => {
    // The previous release (before issue 15) verified with the stored N, r and p and
    // Node's default maxmem of 32 MiB; a hash needing more fails there with an error.
    const hash = await hashPassword('correct horse battery staple');
    const [, n, r, p, salt, key] = hash.split('$');
    const expected = Buffer.from(key, 'base64');
    const previousVerifier = new Promise<Buffer>((resolve, reject) =>
      scrypt(
        'correct horse battery staple',
        Buffer.from(salt, 'base64'),
        expected.length,
        { N: Number(n), r: Number(r), p: Number(p) },
        (err, k) => (err ? reject(err) : resolve(k)),
      ),
    );
    await expect(previousVerifier).resolves.toEqual(expected);
  });
});
