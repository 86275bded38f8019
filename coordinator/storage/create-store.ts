import type { Config } from '../../conf/config';
import { MysqlStore } from './mysql-store';
import { RedisStore } from './redis-store';
import type { Store } from './store';

/** The store chosen by COORDINATOR_STORE, with its schema ready. */
export async function createStore(conf: Config): Promise<Store> {
  const store: Store = conf.coordinator.store === 'redis' ? new RedisStore(conf) : new MysqlStore(conf);
  await store.init();
  return store;
}
