"""The locks say what the .in files ask for: every direct pin is in its lock at the same version,
every locked package has hashes, and the test lock installs the very runtime versions."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)", re.M)


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    return {normalized(name): version for name, version in PIN.findall((ROOT / path).read_text())}


def test_every_direct_pin_is_locked_at_its_version():
    for source, lock in (("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")):
        locked = pins(lock)
        drifted = {name: (version, locked.get(name)) for name, version in pins(source).items()
                   if locked.get(name) != version}
        assert not drifted, f"{source} and {lock} differ, run `make lock`: {drifted}"


def test_the_test_lock_holds_the_runtime_lock_unchanged():
    runtime, test = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: test.get(name) for name in runtime} == runtime


def test_every_locked_package_has_the_hash_of_its_files():
    for lock in ("requirements.txt", "requirements-dev.txt"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text().split("\n", 2)[2])
        for entry in entries:
            assert PIN.match(entry) and "--hash=sha256:" in entry, entry.splitlines()[0]


def test_install_and_the_image_require_the_hashes():
    assert "--require-hashes" in (ROOT / "Makefile").read_text()
    assert "--require-hashes" in (ROOT / "deploy" / "Dockerfile").read_text()
