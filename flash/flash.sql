-- Orders of the flash-sale example. The stock lives in Redis; an order row exists once per sold unit.
-- `flash` is replaced by FLASH_DB when the service applies it. user_id and product_id are declared with
-- their types in flash/columns.ts, which validates buyers; test/order/columns.test.ts compares the two.
CREATE DATABASE IF NOT EXISTS flash DEFAULT CHARACTER SET utf8mb4;
USE flash;
CREATE TABLE IF NOT EXISTS flash_order (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id varchar(64) NOT NULL COMMENT 'the message gid that sold the unit',
  user_id int NOT NULL,
  product_id int NOT NULL,
  create_time datetime(3) NOT NULL DEFAULT now(3),
  UNIQUE KEY order_id (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
