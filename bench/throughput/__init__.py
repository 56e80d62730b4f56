"""`bench/run_bench.py --pages`: `newsmill run` on real pages against bare trafilatura."""
