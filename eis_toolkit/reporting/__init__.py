"""PDF reports (DESIGN.md, Reports): the region benchmark report, the workshop report and the
practice catalogue, rendered by WeasyPrint from print templates (``templates/reports/``).

- ``region.py``, ``workshop.py``, ``catalogue.py``: one function per report that assembles
  everything it prints as plain data (``*_report_context``);
- ``render.py``: context → HTML → PDF, through ``cache.py`` (PDFs on disk keyed by a digest of
  the context, so the same data and language give the same bytes);
- ``fetcher.py``: what WeasyPrint may load (the app's static files from disk, images in
  ``data:`` URLs; nothing else);
- ``views.py``: the download routes (blueprint ``reports``), under the same predicates as the
  pages.
"""
