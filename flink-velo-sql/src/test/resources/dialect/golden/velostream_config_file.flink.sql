CREATE TABLE `orders` (order_id BIGINT, amount DOUBLE) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_v2',
  'properties.bootstrap.servers' = 'broker-1:9092',
  'properties.group.id' = 'orders_group',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

CREATE TABLE enriched_orders WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'enriched',
  'properties.bootstrap.servers' = 'broker-1:9092',
  'format' = 'json',
  'batch.strategy' = 'time_window',
  'batch.window' = '5s'
)
AS SELECT order_id, amount * 1.2 AS gross
FROM orders;
