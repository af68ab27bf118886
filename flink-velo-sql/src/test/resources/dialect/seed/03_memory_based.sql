CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'memory_based',
    'batch.memory_size' = '2097152',
    'batch.enable' = 'true'
);
