-- The table-prefixed form of the same keys; the connectors are inferred from path and topic.
CREATE STREAM enriched AS
SELECT * FROM payments
EMIT CHANGES
WITH (
    'payments.topic.name' = 'payments',
    'payments.bootstrap.servers' = '${KAFKA_BROKERS}',
    'payments.schema' = 'id BIGINT, amount DOUBLE',
    'enriched.path' = '/tmp/enriched',
    'enriched.format' = 'json',
    'sink.failure_strategy' = 'LogAndContinue'
);
