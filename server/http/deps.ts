import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Ledger } from '../ledger/transactions';
import type { Metrics } from '../metrics';
import type { TableRegistryApi, UserNotifier } from '../tables/registry-api';

/** Everything the HTTP routes need, passed in by main (or the test helper). */
export interface HttpDeps {
  db: Db;
  ledger: Ledger;
  config: Config;
  registry: TableRegistryApi;
  notifier: UserNotifier;
  metrics: Metrics;
  log: Logger;
}
