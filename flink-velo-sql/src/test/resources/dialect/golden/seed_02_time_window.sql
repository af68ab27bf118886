-- Seed example from velostream-batch-configuration-guide.md, with its source declared.
CREATE TABLE kafka_source (
    order_id BIGINT,
    customer STRING,
    amount DOUBLE
) WITH (
    'connector' = 'kafka',
    'topic' = 'orders',
    'properties.bootstrap.servers' = 'localhost:9092',
    'properties.group.id' = 'seed',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'batch.strategy' = 'time_window',
    'batch.window' = '5s',
    'batch.enable' = 'true'
);
