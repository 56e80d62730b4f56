"""Airflow task logic: what the thin DAG files in dags/ call (no Airflow import at module load)."""
