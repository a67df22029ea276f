"""Alembic environment for qbank: runs inside the Flask app so it uses the configured database.
One set of migrations serves SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app

from qbank.db import UTCDateTime

config = context.config
migrate_ext = current_app.extensions["migrate"]
metadata = migrate_ext.db.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # UTCDateTime is a plain DATETIME in the database; keep migrations free of qbank imports.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def skip_empty(ctx: Any, revision: Any, directives: list[Any]) -> None:
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run_offline() -> None:
    context.configure(
        url=str(migrate_ext.db.engine.url),
        target_metadata=metadata,
        literal_binds=True,
        render_item=render_item,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", skip_empty)
    args.setdefault("render_item", render_item)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
