-- Schema and seed data of the mall example (gRPC saga). Safe to run again: nothing is dropped or duplicated.
-- By hand: mysql -h127.0.0.1 -uroot < mall/mall.sql   (the services apply it at start, into MALL_DB)
CREATE DATABASE IF NOT EXISTS mall DEFAULT CHARACTER SET utf8mb4;
USE mall;

CREATE TABLE IF NOT EXISTS product (
  id int NOT NULL PRIMARY KEY,
  stock int NOT NULL COMMENT 'units left; never below 0',
  update_time datetime NOT NULL DEFAULT now()
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_no varchar(128) NOT NULL COMMENT 'the saga gid',
  user_id int NOT NULL,
  product_id int NOT NULL,
  num int NOT NULL,
  status int NOT NULL COMMENT '1: created; 9: cancelled by CreateRevert (the article''s invalid status)',
  create_time datetime NOT NULL DEFAULT now(),
  update_time datetime NOT NULL DEFAULT now(),
  UNIQUE KEY order_no (order_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT IGNORE INTO product (id, stock) VALUES (1, 10000);
