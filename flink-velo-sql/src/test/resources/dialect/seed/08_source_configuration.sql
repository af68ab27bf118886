CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'source.failure_strategy' = 'RetryWithBackoff',
    'source.retry_backoff' = '1000ms',
    'source.max_retries' = '3'
);
