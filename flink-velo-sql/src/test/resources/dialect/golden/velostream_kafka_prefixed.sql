-- A Velostream application: Kafka in, Kafka out, sources and sinks declared by prefixed keys.
-- @app: filter_demo
-- @job_mode: simple
-- @batch_size: 250

CREATE STREAM filtered_output AS
SELECT
    id,
    amount,
    active
FROM input_stream
WHERE amount > 100
  AND active = true
EMIT CHANGES
WITH (
    'input_stream.type' = 'kafka_source',
    'input_stream.topic.name' = 'test_input_stream',
    'input_stream.bootstrap.servers' = '${KAFKA_BROKERS:-localhost:9092}',
    'input_stream.schema' = 'id BIGINT, amount DOUBLE, active BOOLEAN',

    'filtered_output.type' = 'kafka_sink',
    'filtered_output.topic.name' = 'test_filter_output',
    'filtered_output.bootstrap.servers' = '${KAFKA_BROKERS}',

    'source.failure_strategy' = 'SendToDLQ',
    'source.dlq.connector' = 'kafka',
    'failure_strategy' = 'RetryWithBackoff',
    'max_retries' = '5'
);
