// npm run man (tsx runs it, for the TypeScript it imports): writes man/tsnc.1 from src/man-page.ts (the OPTIONS table, README.md's everyday use, docs/options.md's rules).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { manPage, readDocuments } from '../src/man-page.js';
import { VERSION } from '../src/version.js';

const root = join(import.meta.dirname, '..');
writeFileSync(join(root, 'man', 'tsnc.1'), manPage(readDocuments(root), VERSION));
process.stderr.write('man: man/tsnc.1\n');
