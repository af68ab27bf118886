SET 'pipeline.name' = 'wrapped';

CREATE TABLE orders (
    order_id BIGINT,
    amount DOUBLE
) WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'orders',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'source.failure_strategy' = 'LogAndContinue'
);

CREATE TABLE big_orders (
    order_id BIGINT,
    amount DOUBLE
) WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'big_orders',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'batch.strategy' = 'fixed_size',
  'batch.size' = '500',
  'sink.failure_strategy' = 'SendToDLQ',
  'dlq.connector' = 'kafka',
  'dlq.topic' = 'big_orders_dlq'
);

CREATE TABLE audit (
    order_id BIGINT
) WITH (
    'connector' = 'blackhole'
);

INSERT INTO big_orders SELECT * FROM orders WHERE amount > 1000;
