import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, describeConfig, envVariables, loadConfig } from '../../conf/config';

describe('config', () => {
  it('uses the local defaults', () => {
    const conf = loadConfig({});
    assert.equal(conf.dtmServer, 'http://localhost:36789/api/dtmsvr');
    assert.deepEqual(conf.mysql, { host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    assert.deepEqual(conf.redis, { host: '127.0.0.1', port: 6379, prefix: '' });
    assert.equal(conf.coordinator.port, 36789);
    assert.equal(conf.coordinator.store, 'mysql');
    assert.equal(conf.busi.port, 8081);
    assert.ok(Object.isFrozen(conf));
  });

  it('coerces numbers and reads the store', () => {
    const conf = loadConfig({ COORDINATOR_PORT: '4000', COORDINATOR_STORE: 'redis', RETRY_INTERVAL_MS: '500' });
    assert.equal(conf.coordinator.port, 4000);
    assert.equal(conf.coordinator.store, 'redis');
    assert.equal(conf.coordinator.retryIntervalMs, 500);
  });

  for (const [name, value] of [
    ['MYSQL_PORT', 'abc'],
    ['COORDINATOR_STORE', 'mongo'],
    ['DTM_SERVER', 'not a url'],
    ['ORDER_DB', 'drop table;'],
    ['RETRY_INTERVAL_MS', '-5'],
  ] as const) {
    it(`names ${name} when it is invalid`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${name}=`),
      );
    });
  }

  it('checks fields against each other', () => {
    assert.throws(
      () => loadConfig({ RETRY_INTERVAL_MS: '5000', MAX_RETRY_INTERVAL_MS: '1000' }),
      /MAX_RETRY_INTERVAL_MS/,
    );
  });

  it('masks the password when described', () => {
    assert.equal(
      (describeConfig(loadConfig({ MYSQL_PASSWORD: 'secret' })).mysql as { password: string }).password,
      '***',
    );
  });
});

describe('config docs', () => {
  it('the README documents every environment variable', () => {
    const readme = readFileSync('README.md', 'utf8');
    const missing = envVariables().filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });
});
