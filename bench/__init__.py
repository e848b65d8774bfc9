"""Benchmarks of the portal: pages beside a floor view under gunicorn, digests, a load test."""
