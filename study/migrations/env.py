"""Alembic environment: migrate the database the application is configured with."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from study.models import UTCDateTime, import_all_models

import_all_models()
target_metadata = SQLModel.metadata
url = context.config.attributes["database_url"]


def render_item(type_: str, obj, autogen_context):
    """Write the app's column types as plain SQLAlchemy types, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations() -> None:
    """Run the migrations online, in one transaction."""
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
