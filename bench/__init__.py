"""Benchmarks of EIS Toolkit, run by ``make bench`` (``python -m bench``); not timed tests.

``python -m bench`` generates 300 regions × 8 reviewers × 40 questions (96,000 peer scores) into a
fresh SQLite database, and into the PostgreSQL database named by ``EIS_BENCH_DATABASE_URL`` when
that is set (the bench empties it first), then times the benchmark computation from the database
against a pandas groupby computing the same question-level figures from the same rows.
"""
