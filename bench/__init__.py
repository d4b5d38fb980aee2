"""Benchmarks of EIS Toolkit, run by ``make bench`` (``python -m bench [NAME ...]``); not timed tests.

``startup`` (``eis --help``, ``create_app()``), ``compute`` (the benchmark computation against a
fair pandas, cold and warm), ``pages`` (10, 100, 300 regions: latency and queries per page) and
``serve`` (gunicorn throughput against a bare Flask page of the same size, and a crash check).
A module ``bench/<name>.py`` with ``run() -> bool`` is found and run by ``bench/__main__.py``;
``bench/data.py`` generates the data. See docs/benchmark.md.
"""
