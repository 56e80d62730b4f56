"""Stage 3: the article record, its Parquet tables, and the dump partitions for consumers."""
