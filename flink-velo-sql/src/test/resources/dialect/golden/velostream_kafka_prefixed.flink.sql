CREATE TABLE `input_stream` (id BIGINT, amount DOUBLE, active BOOLEAN) WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'test_input_stream',
  'properties.bootstrap.servers' = 'broker-1:9092',
  'properties.group.id' = 'velo-input_stream',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'source.failure_strategy' = 'SendToDLQ',
  'dlq.connector' = 'kafka'
);

CREATE TABLE filtered_output WITH (
  'connector' = 'velo',
  'velo.connector' = 'kafka',
  'topic' = 'test_filter_output',
  'properties.bootstrap.servers' = 'broker-1:9092',
  'format' = 'json',
  'failure_strategy' = 'RetryWithBackoff',
  'max_retries' = '5',
  'batch.strategy' = 'fixed_size',
  'batch.size' = '250'
)
AS SELECT
    id,
    amount,
    active
FROM input_stream
WHERE amount > 100
  AND active = true;
