import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';

/**
 * `npm run build`: compiles the coordinator, the examples, the SDK and the checker to JavaScript in
 * `dist/` (or the folder given as the first argument), and copies the files they read at run time
 * (Lua scripts, SQL schemas, proto files, the dashboard's static files) next to the compiled modules,
 * since each of them finds its files relative to its own module.
 */
const ROOT = join(__dirname, '..');
const SOURCE_FOLDERS = ['conf', 'common', 'coordinator', 'order', 'flash', 'mall', 'check', 'scripts'];
const ASSET_EXTENSIONS = new Set(['.lua', '.sql', '.proto', '.html', '.css', '.svg']);
/** Files at the root that modules read as `../<name>`. */
const ROOT_ASSETS = ['order.sql'];

function assetsUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return assetsUnder(path);
    return ASSET_EXTENSIONS.has(extname(name)) ? [path] : [];
  });
}

function build(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit',
  });
  const assets = [
    ...SOURCE_FOLDERS.flatMap((f) => assetsUnder(join(ROOT, f))),
    ...ROOT_ASSETS.map((f) => join(ROOT, f)),
  ];
  for (const asset of assets) {
    const target = join(outDir, relative(ROOT, asset));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(asset, target);
  }
  console.log(
    `built ${relative(ROOT, outDir) || '.'}: start with node ${relative(ROOT, join(outDir, 'coordinator', 'main.js'))}`,
  );
}

build(join(ROOT, process.argv[2] ?? 'dist'));
