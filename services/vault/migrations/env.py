from kit.migrations import run_migrations
from vault.models import Base

run_migrations(Base.metadata)
