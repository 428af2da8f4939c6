"""The README's configuration explains every setting the code reads, so that
a commune's IT team never meets a setting it cannot look up."""
from pathlib import Path

from settings_read import settings_the_code_reads

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_names_every_setting_the_code_reads():
    readme = README.read_text(encoding="utf-8")
    unexplained = sorted(name for name in settings_the_code_reads() if f"`{name}`" not in readme)
    assert not unexplained, f"settings the code reads that the README does not name: {unexplained}"
