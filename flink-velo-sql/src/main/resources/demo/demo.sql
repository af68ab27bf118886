-- velo demo: orders from Kafka, three streams with different batch strategies, a DLQ.
-- @app: velo_demo
-- @job_mode: streaming
--
-- The orders topic holds JSON orders; about 1 % of them are malformed. The source dead-letters
-- what it cannot decode to the orders_dlq topic (SendToDLQ); the streams batch their writes
-- with fixed_size, adaptive_size and mega_batch, and the audit stream drops records its sink
-- rejects (LogAndContinue).

CREATE STREAM high_value_orders AS
SELECT order_id, customer, region, amount
FROM orders
WHERE amount > 1000
EMIT CHANGES
WITH (
    'orders.type' = 'kafka_source',
    'orders.topic.name' = '${DEMO_ORDERS_TOPIC:-orders}',
    'orders.bootstrap.servers' = '${KAFKA_BROKERS}',
    'orders.schema' = 'order_id BIGINT, customer STRING, region STRING, amount DOUBLE, ts BIGINT',
    'orders.format' = 'json',
    -- read what the generator produced, then finish (a Flink kafka option, passed through)
    'orders.scan.bounded.mode' = 'latest-offset',

    'high_value_orders.type' = 'kafka_sink',
    'high_value_orders.topic.name' = 'high_value_orders',
    'high_value_orders.bootstrap.servers' = '${KAFKA_BROKERS}',

    -- source side: malformed orders go to the dead letter queue
    'source.failure_strategy' = 'SendToDLQ',
    'source.dlq.connector' = 'kafka',
    'source.dlq.topic' = '${DEMO_DLQ_TOPIC:-orders_dlq}',
    'source.dlq.properties.bootstrap.servers' = '${KAFKA_BROKERS}',

    'batch.strategy' = 'fixed_size',
    'batch.size' = '100',
    'batch.timeout' = '200ms'
);

CREATE STREAM eu_orders AS
SELECT order_id, customer, amount
FROM orders
WHERE region = 'EU'
EMIT CHANGES
WITH (
    'eu_orders.type' = 'kafka_sink',
    'eu_orders.topic.name' = 'eu_orders',
    'eu_orders.bootstrap.servers' = '${KAFKA_BROKERS}',

    'batch.strategy' = 'adaptive_size',
    'batch.min_size' = '10',
    'batch.adaptive_max_size' = '2000',
    'batch.target_latency' = '100ms',

    'failure_strategy' = 'RetryWithBackoff',
    'max_retries' = '3',
    'retry_backoff' = '100ms'
);

CREATE STREAM order_audit AS
SELECT order_id, region, amount, ts
FROM orders
EMIT CHANGES
WITH (
    'connector' = 'blackhole',

    'batch.strategy' = 'mega_batch',
    'batch.mega_batch_size' = '10000',
    'batch.parallel' = 'false',
    'batch.timeout' = '500ms',

    'sink.failure_strategy' = 'LogAndContinue'
);
