-- Schema and seed data of the stock service's own database, where the XA demo (order/xa.ts) deducts
-- stock in one XA branch while the order row is written in another, in the order database.
-- Safe to run again: nothing is dropped or duplicated. The services apply it at start, into STOCK_DB.
CREATE DATABASE IF NOT EXISTS stock DEFAULT CHARACTER SET utf8mb4;
USE stock;

CREATE TABLE IF NOT EXISTS stock (
  product_id int NOT NULL PRIMARY KEY,
  stock int NOT NULL COMMENT 'units left; never below 0',
  update_time datetime NOT NULL DEFAULT now()
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- The same seed as the order database's stock table, so both ledgers start from one known state.
INSERT IGNORE INTO stock (product_id, stock) VALUES (1, 100), (2, 200);
