-- Sources and sinks configured by YAML files; the WITH clause overrides them.
CREATE STREAM enriched_orders AS
SELECT order_id, amount * 1.2 AS gross
FROM orders
EMIT CHANGES
WITH (
    'orders.type' = 'kafka_source',
    'orders.config_file' = 'configs/orders_source.yaml',
    'orders.topic.name' = 'orders_v2',

    'enriched_orders.type' = 'kafka_sink',
    'enriched_orders.config_file' = 'configs/common_kafka_sink.yaml',

    'batch.strategy' = 'time_window',
    'batch.window' = '5s'
);
