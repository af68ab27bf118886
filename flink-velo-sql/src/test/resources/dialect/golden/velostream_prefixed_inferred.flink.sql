CREATE TABLE `payments` (id BIGINT, amount DOUBLE) WITH (
  'connector' = 'kafka',
  'topic' = 'payments',
  'properties.bootstrap.servers' = 'broker-1:9092',
  'properties.group.id' = 'velo-payments',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

CREATE TABLE enriched WITH (
  'connector' = 'velo',
  'velo.connector' = 'filesystem',
  'path' = '/tmp/enriched',
  'format' = 'json',
  'sink.failure_strategy' = 'LogAndContinue'
)
AS SELECT * FROM payments;
