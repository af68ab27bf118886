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
  'source.failure_strategy' = 'LogAndContinue'
);

CREATE TABLE optimized_stream WITH (
  'connector' = 'velo',
  'velo.connector' = 'print',
  'batch.strategy' = 'adaptive_size',
  'batch.enable' = 'true',
  'batch.min_size' = '50',
  'batch.adaptive_max_size' = '2000',
  'batch.target_latency' = '100ms',
  'failure_strategy' = 'RetryWithBackoff',
  'max_retries' = '5',
  'retry_backoff' = '2000ms'
)
AS SELECT * FROM kafka_source;
