// bcrypt over HMAC-SHA256(pepper, password): bcrypt reads only 72 bytes and a Cyrillic letter takes two,
// so the HMAC first makes every character of a long passphrase count. The pepper lives in config, not in the db.
import crypto from 'node:crypto';
import bcrypt from 'bcrypt';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export function createPasswordHasher(pepper: string, cost: number): PasswordHasher {
  const prehash = (password: string) => crypto.createHmac('sha256', pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
  // Compared against when the contract is unknown, so that the answer takes as long as for a real one.
  const dummy = bcrypt.hashSync(prehash(crypto.randomBytes(16).toString('hex')), cost);
  return {
    hash: (password) => bcrypt.hash(prehash(password), cost),
    verify: (password, hash) => bcrypt.compare(prehash(password), hash || dummy),
  };
}
