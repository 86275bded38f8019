-- Schema and seed data of the order example. Safe to run again: nothing is dropped or duplicated.
-- By hand: mysql -h127.0.0.1 -uroot < order.sql   (the services apply it at start, into ORDER_DB)
-- The columns a request writes into are declared with their types in order/columns.ts; the request
-- schema is built from that declaration and test/order/columns.test.ts compares it with these tables,
-- so change both together.
CREATE DATABASE IF NOT EXISTS ord DEFAULT CHARACTER SET utf8mb4;
USE ord;

CREATE TABLE IF NOT EXISTS stock (
  product_id int NOT NULL PRIMARY KEY,
  stock int NOT NULL COMMENT 'units left; never below 0',
  update_time datetime NOT NULL DEFAULT now()
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS order1 (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id int NOT NULL,
  order_id varchar(64) NOT NULL,
  product_id int NOT NULL,
  product_count int NOT NULL,
  amount decimal(12, 2) NOT NULL,
  coupon_id int NOT NULL DEFAULT 0 COMMENT '0: no coupon',
  status varchar(16) NOT NULL COMMENT 'PAYING after the saga succeeds, FAILED after it rolls back, TRYING while a TCC holds it',
  create_time datetime NOT NULL DEFAULT now(),
  update_time datetime NOT NULL DEFAULT now(),
  UNIQUE KEY order_id (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS user_coupon (
  coupon_id int NOT NULL PRIMARY KEY,
  user_id int NOT NULL,
  used tinyint NOT NULL DEFAULT 0,
  update_time datetime NOT NULL DEFAULT now(),
  KEY user_id (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS pay (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id int NOT NULL,
  order_id varchar(64) NOT NULL,
  amount decimal(12, 2) NOT NULL,
  status varchar(16) NOT NULL COMMENT 'CREATED, or CANCELED by the compensation; TRYING while a TCC holds it',
  create_time datetime NOT NULL DEFAULT now(),
  update_time datetime NOT NULL DEFAULT now(),
  UNIQUE KEY order_id (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT IGNORE INTO stock (product_id, stock) VALUES (1, 100), (2, 200);
-- Coupon 100 belongs to user 1 and is unused; coupon 101 belongs to user 2, so user 1 cannot use it.
INSERT IGNORE INTO user_coupon (coupon_id, user_id, used) VALUES (100, 1, 0), (101, 2, 0);
