"""deploy/system-deps.sh installs what the README says a fresh Debian machine needs, no more and
no less, and says what it installs."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "system-deps.sh"


def packages_the_script_installs():
    text = SCRIPT.read_text()
    packages = set()
    for call in re.findall(r"^\s*(?:\S.*?\|\|\s*)?apt_install(?:_packages)? ((?:[^\n\\]|\\\n)+)", text, re.M):
        for word in call.replace("\\\n", " ").split():
            packages.add(word.split(":", 1)[1] if ":" in word else word)
    return {package for package in packages if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", package)}


def packages_the_readme_lists():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### A fresh Debian machine", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^- `([a-z0-9][a-z0-9.+-]+)`", section, re.M))


def test_the_script_installs_the_readmes_list():
    installs = packages_the_script_installs()
    assert {"rabbitmq-server", "python3-venv", "postgresql", "nodejs", "chromium", "poppler-utils"} <= installs
    assert installs == packages_the_readme_lists()


def test_the_script_is_valid_bash_and_says_what_it_installs():
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True).returncode == 0
    text = SCRIPT.read_text()
    assert 'say "Installing from Debian: ' in text
    assert re.search(r'as_root\(\) \{ if \[ "\$\(id -u\)" = 0 \]; then "\$@"; else sudo "\$@"; fi; \}', text)


def test_on_a_machine_that_has_everything_it_installs_nothing():
    result = subprocess.run(["bash", str(SCRIPT), "test"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Installing" not in result.stdout + result.stderr
