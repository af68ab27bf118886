-- SQL Application: aggregate_demo
-- A Velostream quick-start script, unchanged: transactions grouped by category.
CREATE TABLE category_stats AS

SELECT
    category PRIMARY KEY,
    COUNT(*) AS transaction_count,
    SUM(amount) AS total_amount
FROM transactions
GROUP BY category

EMIT CHANGES

WITH (
    'transactions.type' = 'file_source',
    'transactions.path' = './03_aggregate_input.csv',
    'transactions.format' = 'csv',

    'category_stats.type' = 'file_sink',
    'category_stats.path' = './output/03_aggregate_output.csv',
    'category_stats.format' = 'csv'
);
