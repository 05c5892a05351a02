"""Every string a person reads exists in FR, NL and EN.

The catalogues in locale/ are checked twice: as they are (no untranslated or
fuzzy message), and against the code (`makemessages` run on a copy of the tree
must find no message that the catalogues lack).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.helpers import ROOT

LANGUAGES = ("fr", "nl", "en")
IGNORED = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "bench")


def _problems(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"untranslated plural: {entry.msgid!r}")
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_message(language):
    po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), f"{po_path} is missing"
    assert _problems(po_path) == []


def test_catalogues_contain_every_message_of_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is needed to extract messages: apt-get install gettext")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "", "FORTNIGHT_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-obsolete", *(f"-l{lang}" for lang in LANGUAGES)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    problems = {language: _problems(copy / "locale" / language / "LC_MESSAGES" / "django.po") for language in LANGUAGES}
    assert problems == {language: [] for language in LANGUAGES}, "run `make messages` and translate"
