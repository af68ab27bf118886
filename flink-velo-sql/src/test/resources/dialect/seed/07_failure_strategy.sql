CREATE STREAM my_stream AS
SELECT * FROM kafka_source
WITH (
    'failure_strategy' = 'RetryWithBackoff',
    'max_retries' = '5',
    'retry_backoff' = '2000ms'
);
