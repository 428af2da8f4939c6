"""A household is read with its guardians and children in one query."""
import datetime as dt

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from family import child_keys, store
from family.models import Base


def test_a_household_with_its_guardians_and_children_is_one_query(databases):
    engine = create_engine(databases("family", Base.metadata))
    with Session(engine) as session, session.begin():
        made = store.add_household(session, {
            "quotient_familial": 640,
            "guardians": [{"first_name": "Camille", "last_name": "Martin", "email": "c@example.org"},
                          {"first_name": "Sami", "last_name": "Martin", "email": "s@example.org"}],
            "children": [{"first_name": name, "last_name": "Martin", "birth_date": dt.date(2017, 3, 14),
                          "school": "École Jules Ferry"} for name in ("Léa", "Hugo", "Inès")]}, child_keys.generate)
        household_id = str(made.id)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as session:
        found = store.household(session, household_id)
        assert [g.first_name for g in found.guardians] == ["Camille", "Sami"]
        assert [c.first_name for c in found.children] == ["Léa", "Hugo", "Inès"]
    assert len(statements) == 1
    engine.dispose()
