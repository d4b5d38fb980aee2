"""EIS Toolkit: peer benchmarking of regional support for SME internationalisation."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

#: The repository root: templates/, migrations/ and questionnaires/ live beside the package.
ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and CLI commands. Nothing else."""
    from . import cache, cli, i18n, permissions, security
    from .accounts.views import bp as accounts_bp
    from .actions.views import bp as actions_bp
    from .admin.views import bp as admin_bp
    from .assessments.views import bp as assessments_bp
    from .benchmark.views import bp as benchmark_bp
    from .catalogue import views as catalogue_views
    from .config import load
    from .extensions import csrf, db, init_limiter, login_manager, migrate
    from .mail import outbox
    from .mail.views import bp as mail_bp
    from .main.views import bp as main_bp
    from .reporting.views import bp as reports_bp
    from .workshops.views import bp as workshops_bp

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load(app.instance_path))
    if config:
        app.config.update(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    init_limiter(app)
    security.init_app(app)
    i18n.init_app(app)
    cache.init_app(app)
    outbox.init_app(app)

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(permissions=permissions, can_manage_people=permissions.can_manage_people,
                                 current_language=i18n.current_language)

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(benchmark_bp)
    catalogue_views.init_app(app)
    app.register_blueprint(reports_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(actions_bp)
    cli.init_app(app)
    return app
