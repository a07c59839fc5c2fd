"""Baseline: DuckDB read_csv over the glob with TRY_CAST validation, staging and quarantine tables in a file database."""
import sys

import duckdb

root, database = sys.argv[1], sys.argv[2]
db = duckdb.connect(database)
db.execute(f"""
CREATE TEMP TABLE typed AS
SELECT *,
  TRY_CAST(order_id AS BIGINT) AS t_order_id,
  TRY_CAST(quantity AS BIGINT) AS t_quantity,
  TRY_CAST(unit_price AS DECIMAL(12,2)) AS t_price,
  TRY_CAST(order_date AS DATE) AS t_date,
  TRY_CAST(updated_at AS TIMESTAMPTZ) AS t_updated,
  TRY_CAST(in_stock AS BOOLEAN) AS t_stock
FROM read_csv('{root}/*/*.csv*', header = true, all_varchar = true, union_by_name = true, filename = true);
""")
valid = """
  t_order_id >= 1 AND length(sku) = 10 AND product_name IS NOT NULL AND length(product_name) <= 120
  AND (category IS NULL OR category IN ('tools','garden','kitchen','toys','office','sports'))
  AND t_quantity BETWEEN 0 AND 100000 AND t_price >= 0 AND regexp_matches(unit_price, '^-?[0-9]+(\\.[0-9]{1,2})?$')
  AND currency IN ('EUR','USD','GBP') AND t_date IS NOT NULL
  AND (updated_at IS NULL OR t_updated IS NOT NULL) AND (in_stock IS NULL OR t_stock IS NOT NULL)
  AND (notes IS NULL OR length(notes) <= 500)
"""
db.execute(f"""
CREATE TABLE staging AS SELECT t_order_id AS order_id, sku, trim(product_name) AS product_name, lower(category) AS category,
  t_quantity AS quantity, t_price AS price, currency, t_date AS order_date, updated_at, t_stock AS in_stock,
  trim(notes) AS notes, 'supplier-nightly' AS feed, filename AS _file
FROM typed WHERE {valid};
CREATE TABLE quarantine AS SELECT * FROM typed WHERE NOT coalesce({valid}, false);
""")
db.close()
