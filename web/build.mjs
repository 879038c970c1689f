// Builds the browser assets into web/dist: our script and styles (esbuild)
// plus nhsuk-frontend's precompiled stylesheet and its images, so pages are
// fully styled with no network. Run: npm run build
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const nhsuk = join(here, 'node_modules', 'nhsuk-frontend', 'dist', 'nhsuk');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src', 'app.js'), join(here, 'src', 'app.css')],
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  logLevel: 'warning',
});

cpSync(join(nhsuk, 'nhsuk-frontend.min.css'), join(out, 'nhsuk-frontend.min.css'));
// The stylesheet refers to its images as /assets/images/...; the server maps
// /assets/ to this directory, so nhsuk's assets/ folder goes to its root.
cpSync(join(nhsuk, 'assets'), out, { recursive: true });
console.log(`web: built ${out}`);
