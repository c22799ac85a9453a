/** `npm run docs:annotations`: writes docs/annotations.md from the annotation table. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ANNOTATION_DOCS_PATH, renderAnnotationDocs } from './core/annotation-docs-md.js';

// dist/webhook/src/ -> repository root
const target = fileURLToPath(new URL(`../../../${ANNOTATION_DOCS_PATH}`, import.meta.url));
writeFileSync(target, renderAnnotationDocs());
process.stdout.write(`wrote ${ANNOTATION_DOCS_PATH}\n`);
