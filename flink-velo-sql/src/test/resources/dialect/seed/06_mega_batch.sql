CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'mega_batch',
    'batch.mega_batch_size' = '50000',
    'batch.parallel' = 'true',
    'batch.reuse_buffer' = 'true',
    'batch.enable' = 'true'
);
