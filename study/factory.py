"""Build the Flask application: configuration, extensions, blueprints, commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import audit, db, mail, security
from .config import default_config, from_environment, instance_secret_key, trusted_hosts
from .extensions import babel, csrf, limiter, login_manager
from .urls import IdConverter
from .vault import service as vault_service

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = Path(__file__).resolve().parent


def build_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the application; see `study.create_app`."""
    instance_path = Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")
    app = Flask(
        "study",
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PACKAGE_ROOT / "static"),
    )
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The folder holds the database, the vault and the keys: its owner's alone, also when
    # it came with the checkout.
    instance_path.chmod(0o700)
    app.config.from_mapping(default_config(instance_path))
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(instance_path)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config, development=app.debug or app.testing)
    if not (app.debug or app.testing):
        # The __Host- prefix pins the cookie to this host, path / and HTTPS only.
        app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_ROOT / "translations")
    app.url_map.converters["int"] = IdConverter
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy the visitor's address (rate limits) and scheme come from it.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"]
        )

    db.init_app(app)
    audit.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=security.select_locale)
    login_manager.init_app(app)
    security.init_app(app)
    vault_service.init_app(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Attach every area's pages."""
    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .appendices import bp as appendices_bp
    from .closing import bp as closing_bp
    from .consent import bp as consent_bp
    from .ethics import bp as ethics_bp
    from .exports import bp as exports_bp
    from .guide import bp as guide_bp
    from .letters import bp as letters_bp
    from .main import bp as main_bp
    from .recordings import bp as recordings_bp
    from .recruitment import bp as respondents_bp
    from .review import bp as review_bp
    from .studies import bp as studies_bp
    from .transcripts import bp as transcripts_bp

    blueprints = (
        main_bp,
        accounts_bp,
        admin_bp,
        studies_bp,
        review_bp,
        ethics_bp,
        guide_bp,
        letters_bp,
        appendices_bp,
        respondents_bp,
        consent_bp,
        recordings_bp,
        closing_bp,
        transcripts_bp,
        exports_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    """Attach the administration commands."""
    from .accounts.cli import users_group
    from .closing.commands import retention_group
    from .demo import demo_command
    from .vault.commands import keys_group, vault_group

    app.cli.add_command(users_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(keys_group)
    app.cli.add_command(vault_group)
    app.cli.add_command(retention_group)
