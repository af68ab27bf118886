CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'low_latency',
    'batch.low_latency_max_size' = '5',
    'batch.low_latency_wait' = '10ms',
    'batch.eager_processing' = 'true',
    'batch.enable' = 'true'
);
