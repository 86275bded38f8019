import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../conf/config';
import { renderTryLines, tryLines } from '../../scripts/try-lines';

describe('the curl lines', () => {
  it('the README shows exactly what npm start prints for the default ports', () => {
    const conf = loadConfig({});
    const printed = renderTryLines(
      tryLines(`http://localhost:${conf.busi.port}`, `http://localhost:${conf.coordinator.port}`),
    );
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    assert.ok(readme.includes(`\n${printed}\n`), `README.md's block after "What you will see" must read:\n${printed}`);
  });
});
