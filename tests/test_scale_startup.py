"""Start-up stays light (issue #9): heavy modules are imported where they are used."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "pandas", "alembic", "flask_migrate")


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={"EIS_SECRET_KEY": "x", "PATH": ""})
    return set(result.stdout.split()[-1000:])


def test_eis_help_builds_no_app_and_imports_no_heavy_module():
    modules = _modules_after("import contextlib, io\n"
                             "from eis_toolkit.cli import main\n"
                             "with contextlib.redirect_stdout(io.StringIO()):\n"
                             "    try: main(['--help'])\n"
                             "    except SystemExit: pass")
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_the_app_starts_without_chart_spreadsheet_pdf_or_dataframe_libraries():
    imported = _modules_after("from eis_toolkit import create_app\ncreate_app()")
    heavy = {"matplotlib", "openpyxl", "pandas", "weasyprint"}
    assert not imported & heavy, imported & heavy


def test_gunicorn_s_master_loads_the_pdf_renderer_and_compiles_the_templates_before_the_workers_fork():
    """Lazy in the app, but loaded once in gunicorn's master, so every worker shares them."""
    from eis_toolkit import ROOT

    imported = _modules_after(
        f"import logging, runpy\nfrom types import SimpleNamespace\nfrom eis_toolkit import create_app\n"
        f"conf = runpy.run_path({str(ROOT / 'gunicorn.conf.py')!r})\napp = create_app()\n"
        "conf['when_ready'](SimpleNamespace(log=logging.getLogger(), cfg=SimpleNamespace(preload_app=True),\n"
        "                                   app=SimpleNamespace(wsgi=lambda: app)))\n"
        "compiled = {name for _, name in app.jinja_env.cache.keys()}\n"
        "assert compiled == set(app.jinja_env.list_templates()), compiled\n"
        "assert {'workshops/review_dimension.html', 'mail/review_submitted.txt'} <= compiled")
    assert "weasyprint" in imported


def test_every_command_of_the_app_is_listed_by_eis_help(app):
    from eis_toolkit.cli import main

    with app.test_request_context():
        import click
        listed = set(main.list_commands(click.Context(main)))
    assert set(app.cli.list_commands(None)) <= listed, "add new commands to cli.COMMANDS"
    assert {"db", "init-db", "export", "load", "demo", "questionnaire", "user"} <= listed
