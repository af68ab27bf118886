CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'fixed_size',
    'batch.size' = '1000',
    'batch.enable' = 'true'
);
