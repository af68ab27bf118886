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
  'batch.strategy' = 'adaptive_size',
  'batch.min_size' = '10',
  'batch.adaptive_max_size' = '2000',
  'batch.target_latency' = '100ms',
  'batch.enable' = 'true'
)
AS SELECT * FROM kafka_source;
