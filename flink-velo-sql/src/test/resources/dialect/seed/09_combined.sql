CREATE STREAM optimized_stream AS
SELECT * FROM kafka_source
WITH (
    -- Global Batch Configuration
    'batch.strategy' = 'adaptive_size',
    'batch.enable' = 'true',
    'batch.min_size' = '50',
    'batch.adaptive_max_size' = '2000',
    'batch.target_latency' = '100ms',
    
    -- Failure Handling
    'failure_strategy' = 'RetryWithBackoff',
    'max_retries' = '5',
    'retry_backoff' = '2000ms',
    
    -- Source Configuration  
    'source.failure_strategy' = 'LogAndContinue'
);
