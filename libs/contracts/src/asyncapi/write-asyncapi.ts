/**
 * `npm run asyncapi`: writes docs/asyncapi.json from the integration event
 * contracts (run from the repository root, as npm does). Commit the result: a
 * unit spec fails while the committed file is not what this writes.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiJson } from './asyncapi-document.js';

const path = resolve(process.cwd(), 'docs/asyncapi.json');
writeFileSync(path, asyncApiJson());
process.stdout.write(`wrote ${path}\n`);
