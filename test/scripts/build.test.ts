import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../../scripts/service-process';
import { runId, testEnv } from '../helpers/test-env';

const ROOT = join(__dirname, '..', '..');
const OUT = `dist-test-${runId}`;

function jsFilesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return jsFilesUnder(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

/** The package a bare specifier names: `mysql2/promise` → `mysql2`, `@grpc/grpc-js/x` → `@grpc/grpc-js`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

describe('npm run build (the production build)', function () {
  this.timeout(180_000);
  before(() => {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts'), OUT], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  });
  after(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

  it('needs nothing at run time but node built-ins and the production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const needed = new Set<string>();
    for (const file of jsFilesUnder(join(ROOT, OUT))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
        if (specifier && !specifier.startsWith('.')) needed.add(packageOf(specifier.replace(/^node:/, '')));
      }
    }
    assert.deepEqual(
      [...needed].filter((p) => !allowed.has(p)),
      [],
      'every package the build requires is a production dependency',
    );
  });

  it('starts the coordinator and the examples from JavaScript, and a saga (HTTP and gRPC) runs through them', async () => {
    const [coordinatorPort, busiPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...testEnv,
      COORDINATOR_DB: `build_dtm_${runId}`,
      ORDER_DB: `build_order_${runId}`,
      FLASH_DB: `build_flash_${runId}`,
      MALL_DB: `build_mall_${runId}`,
      COORDINATOR_PORT: String(coordinatorPort),
      COORDINATOR_GRPC_PORT: String(grpcPort),
      DTM_GRPC_SERVER: `localhost:${grpcPort}`,
      MALL_ORDER_PORT: String(await freePort()),
      MALL_PRODUCT_PORT: String(await freePort()),
      BUSI_PORT: String(busiPort),
      DTM_SERVER: `http://localhost:${coordinatorPort}/api/dtmsvr`,
      LOG_LEVEL: 'warn',
    };
    const coordinator = new ServiceProcess(
      `${OUT}/coordinator/main.js`,
      env,
      `http://localhost:${coordinatorPort}/api/dtmsvr/health`,
    );
    const examples = new ServiceProcess(
      `${OUT}/scripts/examples-main.js`,
      env,
      `http://localhost:${busiPort}/api/health`,
    );
    try {
      await coordinator.start(30_000);
      await examples.start(30_000);
      const res = await fetch(`http://localhost:${busiPort}/api/fireSucceed`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { status: string }).status, 'succeed');
      // The gRPC path reads its .proto files next to the compiled modules.
      const mall = await fetch(`http://localhost:${busiPort}/api/fireMall`);
      assert.equal(((await mall.json()) as { status: string }).status, 'succeed');
    } finally {
      await Promise.all([examples.stop(), coordinator.stop()]);
    }
  });
});
