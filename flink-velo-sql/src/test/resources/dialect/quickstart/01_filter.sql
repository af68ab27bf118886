-- SQL Application: filter_demo
-- A Velostream quick-start script, unchanged: CSV file in, CSV file out, a WHERE filter.
-- Only rows with value > 150 pass (Bob, Dave, Eve).

CREATE STREAM filtered_data AS

SELECT *

FROM input_data

-- WHERE clause filters rows: only rows where value > 150 pass through
WHERE value > 150

EMIT CHANGES

WITH (
    'input_data.type' = 'file_source',
    'input_data.path' = './hello_world_input.csv',
    'input_data.format' = 'csv',

    'filtered_data.type' = 'file_sink',
    'filtered_data.path' = './output/01_filter_output.csv',
    'filtered_data.format' = 'csv'
);
