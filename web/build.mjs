// Builds the browser assets into web/dist: our script and styles (esbuild)
// plus nhsuk-frontend's precompiled stylesheet and its images, so pages are
// fully styled with no network. Run: npm run build
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// The NHS's Frutiger web fonts are licensed for and served from nhs.uk only;
// drop their @font-face rules so the stylesheet's Arial fallback is used and
// the page makes no request off this server (the CSP would block it anyway).
const css = readFileSync(join(nhsuk, 'nhsuk-frontend.min.css'), 'utf8');
writeFileSync(join(out, 'nhsuk-frontend.min.css'), css.replace(/@font-face\{[^}]*\}/g, ''));
// The stylesheet refers to its images as /assets/images/...; the server maps
// /assets/ to this directory, so nhsuk's assets/ folder goes to its root.
cpSync(join(nhsuk, 'assets'), out, { recursive: true });
console.log(`web: built ${out}`);
