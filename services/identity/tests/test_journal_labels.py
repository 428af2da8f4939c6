"""Every action of the security journal reads in French."""
from identity import journal


def test_every_journal_action_has_a_french_label():
    actions = {value for name, value in vars(journal).items() if name.isupper() and isinstance(value, str)}
    assert actions == set(journal.LABELS)
    assert all(label and label[0].isupper() for label in journal.LABELS.values())
