"""Helpers of bench/extract_bench.py: data sets, extractors, scoring, timing, report."""
