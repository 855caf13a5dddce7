"""Realistic data at scale for the benchmarks, behind ``manage.py generate_load_data``
(``generator.py``). Nothing is imported here: the benchmark reads ``words`` without Django."""
