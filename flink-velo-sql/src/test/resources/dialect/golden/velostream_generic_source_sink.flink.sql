SET 'execution.runtime-mode' = 'batch';

CREATE TABLE `orders` (id BIGINT, amount DOUBLE) WITH (
  'connector' = 'filesystem',
  'path' = '/data/orders.csv',
  'format' = 'csv'
);

CREATE TABLE high_value WITH (
  'connector' = 'velo',
  'velo.connector' = 'filesystem',
  'path' = '/tmp/output.json',
  'format' = 'json',
  'batch.strategy' = 'fixed_size',
  'batch.size' = '50'
)
AS SELECT id, amount FROM orders WHERE amount > 100;
