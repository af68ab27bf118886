CREATE TABLE kafka_source (
    order_id BIGINT,
    customer STRING,
    amount DOUBLE
) WITH (
    'connector' = 'kafka',
    'topic' = 'orders',
    'properties.bootstrap.servers' = 'localhost:9092',
    'properties.group.id' = 'seed',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE my_stream WITH (
  'connector' = 'velo',
  'velo.connector' = 'print',
  'failure_strategy' = 'RetryWithBackoff',
  'max_retries' = '5',
  'retry_backoff' = '2000ms'
)
AS SELECT * FROM kafka_source;
