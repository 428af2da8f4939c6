"""The portal is free software under the AGPL-3.0-or-later (LICENSE): every package it runs with
must be under a licence that the AGPL can take in, and every package the tests use must at least
be free software. pip-licenses reads each installed package's declared licence.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Licences whose code an AGPL-3.0-or-later work may include (the FSF's list of GPLv3-compatible
# licences; the AGPLv3 takes in GPLv3 code by its section 13). LGPL-2.1 and GPL-2.0-or-later code
# may be used under GPLv3; "BSD" and "MIT" alone are how older packages name those licences.
AGPL_COMPATIBLE = {
    "mit", "mit license", "mit-0", "mit-cmu", "isc", "isc license (iscl)", "bsd", "bsd license",
    "bsd-2-clause", "bsd-3-clause", "apache-2.0", "apache software license", "apache license, version 2.0",
    "psf-2.0", "python software foundation license", "mpl-2.0", "mozilla public license 2.0 (mpl 2.0)",
    "unlicense", "public domain", "zpl-2.1", "hpnd",
    "lgpl-2.1-only", "lgpl-2.1-or-later", "lgpl-3.0-only", "lgpl-3.0-or-later",
    "gnu library or lesser general public license (lgpl)",
    "gnu lesser general public license v3 (lgplv3)", "gnu lesser general public license v3 or later (lgplv3+)",
    "gpl-3.0", "gpl-3.0-only", "gpl-3.0-or-later", "gnu general public license v3 (gplv3)",
    "gnu general public license v3 or later (gplv3+)",
    "gnu general public license v2 or later (gplv2+)", "agpl-3.0-or-later", "agpl-3.0-only",
    "gnu affero general public license v3", "gnu affero general public license v3 or later (agplv3+)",
}
# Free software licences that the AGPL cannot take in; acceptable for a test tool only, which is
# never part of the portal that a commune runs or redistributes.
FREE_BUT_NOT_AGPL_COMPATIBLE = {"cnri-python", "epl-2.0", "eclipse public license 2.0 (epl-2.0)"}

# Packages whose metadata declares no licence, with the one their own licence file states.
DECLARED_IN_LICENCE_FILE = {"antlr4-python3-runtime": "BSD-3-Clause"}


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock):
    """Names of the packages a lock file pins."""
    return {normalized(match) for match in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==",
                                                    (ROOT / lock).read_text(), re.M)}


def accepted(licence, allowed):
    """A licence expression is accepted when one of its alternatives (OR, or a list of trove
    classifiers) is made only of allowed licences (AND)."""
    alternatives = re.split(r"\s+OR\s+|;\s*", licence.strip())
    return any(all(part.strip().lower() in allowed for part in re.split(r"\s+AND\s+", alternative))
               for alternative in alternatives)


@pytest.fixture(scope="module")
def licences():
    """{package: declared licence} of every package installed in the portal's environment."""
    listed = subprocess.run([str(Path(sys.executable).with_name("pip-licenses")), "--format=json", "--from=mixed",
                             "--with-system"],
                            capture_output=True, text=True, timeout=120, check=True)
    found = {normalized(package["Name"]): package["License"] for package in json.loads(listed.stdout)}
    return {**found, **{name: licence for name, licence in DECLARED_IN_LICENCE_FILE.items() if name in found}}


def test_the_portal_is_under_the_agpl_3_or_later():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert len(text.splitlines()) == 661  # the whole text, as the FSF publishes it
    assert "AGPL-3.0-or-later" in " ".join((ROOT / "README.md").read_text().split())


def test_the_reader_accepts_alternatives_and_requires_every_part_of_a_combination():
    assert accepted("MIT OR Apache-2.0", AGPL_COMPATIBLE)
    assert accepted("Artistic License; GNU General Public License v2 or later (GPLv2+)", AGPL_COMPATIBLE)
    assert not accepted("Apache-2.0 AND CNRI-Python", AGPL_COMPATIBLE)
    assert not accepted("Proprietary", AGPL_COMPATIBLE | FREE_BUT_NOT_AGPL_COMPATIBLE)
    assert not accepted("UNKNOWN", AGPL_COMPATIBLE)


def test_every_locked_package_is_installed_and_its_licence_known(licences):
    missing = (locked("requirements.txt") | locked("requirements-dev.txt")) - set(licences)
    assert not missing, f"not installed or not listed by pip-licenses: {sorted(missing)}"


def test_every_package_the_portal_runs_with_is_under_an_agpl_compatible_licence(licences):
    refused = {name: licences[name] for name in locked("requirements.txt")
               if not accepted(licences[name], AGPL_COMPATIBLE)}
    assert not refused, f"licences the AGPL-3.0-or-later cannot take in: {refused}"


def test_every_test_tool_is_free_software(licences):
    refused = {name: licences[name] for name in locked("requirements-dev.txt") - locked("requirements.txt")
               if name in licences and not accepted(licences[name], AGPL_COMPATIBLE | FREE_BUT_NOT_AGPL_COMPATIBLE)}
    assert not refused, f"test tools under licences that are not free software: {refused}"
