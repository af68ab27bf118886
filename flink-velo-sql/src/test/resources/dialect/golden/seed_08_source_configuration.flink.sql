CREATE TABLE kafka_source (
    order_id BIGINT,
    customer STRING,
    amount DOUBLE
) WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'orders',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'seed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'source.failure_strategy' = 'RetryWithBackoff',
  'source.retry_backoff' = '1000ms',
  'source.max_retries' = '3'
);

CREATE TABLE my_stream WITH (
  'connector' = 'velo',
  'velo.connector' = 'print'
)
AS SELECT * FROM kafka_source;
