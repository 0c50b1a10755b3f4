import { loadConfig } from '../../app/src/config';
import { OWASP_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from '../../app/src/domain/passwords';

describe('password hashing', () => {
  it('defaults to the OWASP minimum for scrypt (N=2^17, r=8, p=1) in every environment', () => {
    expect(OWASP_SCRYPT_COST).toEqual({ N: 131072, r: 8, p: 1 });
    expect(loadConfig({}).passwordHashCost).toEqual(OWASP_SCRYPT_COST);
  });

  it('hashes and verifies at that cost (within maxmem)', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
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
});
