import type { Config } from '../../conf/config';
import type { Logger } from '../../common/log';
import { MysqlStore } from './mysql-store';
import { RedisStore } from './redis-store';
import type { Store } from './store';

/**
 * The store chosen by COORDINATOR_STORE, with its schema ready.
 * @param log receives a line when the store's server goes away and when it is back (Redis).
 * @throws Unavailable naming the store's server, its address and the variables to change when it does
 * not answer; nothing stays open then.
 */
export async function createStore(conf: Config, log?: Logger): Promise<Store> {
  const store: Store = conf.coordinator.store === 'redis' ? new RedisStore(conf, log) : new MysqlStore(conf);
  try {
    await store.init();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
