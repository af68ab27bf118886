-- Velostream's generic keys: source.* and sink.* address the stream's own source and sink;
-- a path makes them file connectors (no '.type' needed).
CREATE STREAM high_value AS
SELECT id, amount FROM orders WHERE amount > 100
EMIT CHANGES
WITH (
    'source.path' = '/data/orders.csv',
    'source.format' = 'csv',
    'source.schema' = 'id BIGINT, amount DOUBLE',
    'sink.path' = '/tmp/output.json',
    'sink.format' = 'json',
    'batch.strategy' = 'fixed_size',
    'batch.size' = '50'
);
