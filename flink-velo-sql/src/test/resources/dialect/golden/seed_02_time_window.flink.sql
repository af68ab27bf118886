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

CREATE TABLE my_stream WITH (
  'connector' = 'velo',
  'velo.connector' = 'print',
  'batch.strategy' = 'time_window',
  'batch.window' = '5s',
  'batch.enable' = 'true'
)
AS SELECT * FROM kafka_source;
