-- Schema and seed data of the stock service's own database, where the XA demo (order/xa.ts) deducts
-- stock in one XA branch while the order row is written in another, in the order database.
-- The services apply it at start, into STOCK_DB. Safe to run again: nothing is dropped or duplicated.
CREATE DATABASE IF NOT EXISTS stock DEFAULT CHARACTER SET utf8mb4;
USE stock;

-- Seeded as it is created, with the same seed as the order database's stock table, and never touched
-- again: an XA branch left prepared (its global side died) keeps its stock row locked until the
-- coordinator finishes it through this very service, so a start-up INSERT IGNORE would wait on it.
CREATE TABLE IF NOT EXISTS stock (
  product_id int NOT NULL PRIMARY KEY,
  stock int NOT NULL COMMENT 'units left; never below 0',
  update_time datetime NOT NULL DEFAULT now()
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
  SELECT 1 AS product_id, 100 AS stock, now() AS update_time UNION ALL SELECT 2, 200, now();
