"""docs/SECURITY.md names the test that shows each measure; each named test must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "SECURITY.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def test_security_doc_names_only_tests_that_exist() -> None:
    references = REFERENCE.findall(DOC.read_text(encoding="utf-8"))
    missing = []
    for path, name in references:
        source = ROOT / path
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        if not re.search(rf"^(?:async )?def {name}\(", text, re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert len(references) >= 100
    assert missing == []
