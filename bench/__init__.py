"""Benchmarks of faxline at provider scale (``bench/seed.py`` builds the data set)."""
