from kit.migrations import run_migrations
from family.models import Base

run_migrations(Base.metadata)
