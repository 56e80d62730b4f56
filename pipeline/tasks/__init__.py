"""Airflow task logic, one module per DAG (crawl, dump, backfill, reextract) plus what they share
(common, s3env, process, finish): what the thin DAG files in dags/ call. No Airflow import at
module load."""
