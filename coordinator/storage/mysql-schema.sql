-- The coordinator's tables on MySQL, shaped like DTM's trans_global and trans_branch_op.
-- Intervals are milliseconds (next_cron_interval_ms) and times carry milliseconds, so tests and fast
-- retries need no whole-second rounding. `dtm` is replaced by the configured database name.
CREATE DATABASE IF NOT EXISTS dtm DEFAULT CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS dtm.trans_global (
  id bigint NOT NULL AUTO_INCREMENT,
  gid varchar(128) NOT NULL COMMENT 'global transaction id',
  trans_type varchar(45) NOT NULL COMMENT 'saga | msg | tcc',
  status varchar(12) NOT NULL COMMENT 'prepared | submitted | aborting | succeed | failed',
  query_prepared varchar(1024) NOT NULL DEFAULT '' COMMENT 'msg query-back url',
  protocol varchar(45) NOT NULL DEFAULT 'http',
  create_time datetime(3) NOT NULL,
  update_time datetime(3) NOT NULL,
  finish_time datetime(3) DEFAULT NULL,
  rollback_time datetime(3) DEFAULT NULL,
  rollback_reason varchar(1024) NOT NULL DEFAULT '',
  options text COMMENT 'wire options as JSON: timeout_to_fail, retry_interval, ...',
  custom_data text,
  next_cron_interval_ms bigint NOT NULL,
  next_cron_time datetime(3) NOT NULL COMMENT 'when the cron loop should next look at it',
  owner varchar(128) NOT NULL DEFAULT '' COMMENT 'the coordinator holding the lease',
  ext_data text COMMENT 'JSON: passthrough headers',
  retry_count int NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY gid (gid),
  KEY owner (owner) COMMENT 'the cron loop reads back what it leased by owner',
  KEY status_next_cron_time (status, next_cron_time) COMMENT 'the cron loop finds due transactions'
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS dtm.trans_branch_op (
  id bigint NOT NULL AUTO_INCREMENT,
  gid varchar(128) NOT NULL,
  url varchar(1024) NOT NULL DEFAULT '',
  bin_data mediumblob COMMENT 'request body',
  branch_id varchar(128) NOT NULL,
  op varchar(45) NOT NULL COMMENT 'action | compensate | try | confirm | cancel',
  status varchar(45) NOT NULL COMMENT 'prepared | succeed | failed',
  finish_time datetime(3) DEFAULT NULL,
  rollback_time datetime(3) DEFAULT NULL,
  create_time datetime(3) NOT NULL,
  update_time datetime(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY gid_uniq (gid, branch_id, op)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS dtm.kv (
  id bigint NOT NULL AUTO_INCREMENT,
  cat varchar(45) NOT NULL COMMENT 'the category: topics',
  k varchar(128) NOT NULL,
  v text,
  version bigint NOT NULL DEFAULT 1,
  create_time datetime(3) NOT NULL,
  update_time datetime(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uniq_k (cat, k)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS dtm.trans_event (
  id bigint NOT NULL AUTO_INCREMENT,
  gid varchar(128) NOT NULL,
  event text NOT NULL COMMENT 'JSON: a branch call or a status change, for the time line',
  create_time datetime(3) NOT NULL,
  PRIMARY KEY (id),
  KEY gid_id (gid, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
