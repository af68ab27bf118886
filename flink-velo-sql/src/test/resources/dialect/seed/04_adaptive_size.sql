CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'adaptive_size',
    'batch.min_size' = '10',
    'batch.adaptive_max_size' = '2000',
    'batch.target_latency' = '100ms',
    'batch.enable' = 'true'
);
