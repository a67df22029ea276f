"""qbank: question-bank authoring and adaptive practice for China's carbon-reduction
professional skill certification (碳减排领域专业技能岗位人才)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: configuration, extensions, blueprints, CLI — wired by hand."""
    from qbank import cli, error_pages, i18n, security, site
    from qbank.accounts import views as accounts_views
    from qbank.api import register_api
    from qbank.authoring import dup_views, image_views, import_views
    from qbank.authoring import views as authoring_views
    from qbank.config import PACKAGE_DIR, configure
    from qbank.extensions import api, csrf, db, login_manager, migrate
    from qbank.papers import blueprint_views as paper_blueprint_views
    from qbank.papers import views as papers_views
    from qbank.practice import views as practice_views
    from qbank.syllabus import views as syllabus_views

    _import_models()

    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("QBANK_INSTANCE_PATH")
        or None,
    )
    configure(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_i18n(app)
    security.init_security(app)
    api.init_app(app)

    app.register_blueprint(site.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(syllabus_views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(image_views.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(dup_views.bp)
    app.register_blueprint(papers_views.bp)
    app.register_blueprint(paper_blueprint_views.bp)
    app.register_blueprint(practice_views.bp)
    _navigation(app)
    register_api(api)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("api-docs."):  # the OpenAPI document is public
            getattr(view, "__func__", view).qbank_access = ("public",)

    error_pages.register_error_handlers(app)  # after the API so that ours answer
    cli.register(app)
    return app


def _import_models() -> None:
    """Every room's models, so that the metadata (and Alembic) sees every table."""
    import qbank.accounts.models
    import qbank.authoring.models
    import qbank.jobs
    import qbank.papers.models
    import qbank.practice.models
    import qbank.syllabus.models  # noqa: F401


def _navigation(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from qbank.site import add_nav

    add_nav(app, "learner", "practice.home", _l("My practice"))
    add_nav(app, "author", "authoring.index", _l("Question bank"))
    add_nav(app, "author", "authoring.review", _l("Review"))
    add_nav(app, "examiner", "papers.index", _l("Papers"))
    add_nav(app, "examiner", "blueprints.index", _l("Blueprints"))
    add_nav(app, "examiner", "papers.coverage_page", _l("Coverage"))
