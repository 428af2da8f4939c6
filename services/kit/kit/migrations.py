"""Alembic, one migration history per service (services/<name>/migrations).

    python -m kit.migrations upgrade identity
    python -m kit.migrations revision identity "add contact details"
"""
import sys

from alembic import command, context
from alembic.config import Config

from kit import locks
from kit.config import REPOSITORY, database_url


def alembic_config(service_name, url=None):
    config = Config()
    config.set_main_option("script_location", str(REPOSITORY / "services" / service_name / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or database_url(service_name)).replace("%", "%%"))
    return config


def upgrade(service_name, url=None):
    """To the head of the service's history; one process at a time (kit.locks), as every replica
    and the migration Job of a deployment may start together."""
    from sqlalchemy import create_engine, pool

    url = url or database_url(service_name)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with locks.waiting(engine, f"{service_name}.migrations"):
            command.upgrade(alembic_config(service_name, url), "head")
    finally:
        engine.dispose()


def run_migrations(metadata):
    """Body of each service's migrations/env.py."""
    from sqlalchemy import engine_from_config, pool

    config = context.config
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


def main(argv):
    action, service_name, *rest = argv
    if action == "upgrade":
        upgrade(service_name)
    elif action == "revision":
        config = alembic_config(service_name)
        command.upgrade(config, "head")
        command.revision(config, message=rest[0], autogenerate=True)
    else:
        raise SystemExit(f"unknown action {action!r}: upgrade or revision")


if __name__ == "__main__":
    main(sys.argv[1:])
