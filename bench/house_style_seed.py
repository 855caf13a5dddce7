"""The house-style check on the seed issue's own text: the findings, entry by entry.

Reads the published issue in ``../shared/examples/`` where it is (never copied), takes each
entry's Chinese title (in the brackets after the English one) and its summary (简介), and prints
what ``drafting.house_style.check_text`` says of them, with a glossary of the terms the issue
itself renders in several ways and the spacing between Chinese and Latin text the check is given
(``--spacing``, a space by default).

    .venv/bin/python bench/house_style_seed.py [--spacing space|none|any] [--all]

No database and no network: the check is a pure function.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEED = ROOT.parent / "shared" / "examples" / "000_27ed92895d22b51c.txt"

#: Terms the seed renders in more than one way (its own inconsistency), as a publication's
#: glossary would settle them.
GLOSSARY = [
    ("pretraining", "预训练", ("预先训练",)),
    ("fine-tuning", "微调", ("精调", "调优")),
    ("Transformer", "", ("变换器", "变压器")),
    ("BERT", "", ()),
]


def entries(text: str) -> list[tuple[str, str]]:
    """(Chinese title, summary) of each paper entry."""
    found = []
    title = ""
    for line in text.splitlines():
        if line.startswith("标题:"):
            match = re.search(r"\(([^()]*)\)?\s*$", line)
            title = match.group(1) if match else ""
        elif line.startswith("简介:"):
            found.append((title, line.removeprefix("简介:")))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing", default="space", choices=["space", "none", "any"])
    parser.add_argument("--all", action="store_true", help="print every finding's message")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")
    import django

    django.setup()
    from django.utils import translation

    from drafting.house_style import FIELD_TITLE, GlossaryEntry, HouseStyle, check_text

    translation.activate("en")
    style = HouseStyle(
        glossary=[GlossaryEntry(t, tr, avoid) for t, tr, avoid in GLOSSARY],
        spacing=args.spacing,
        summary_length=(80, 400),
        title_length=(0, 60),
    )
    totals: collections.Counter[str] = collections.Counter()
    pairs = entries(SEED.read_text(encoding="utf-8"))
    for number, (title, summary) in enumerate(pairs, 1):
        found = check_text(title, style=style, kind=FIELD_TITLE) + check_text(summary, style=style)
        by_rule = collections.Counter(finding.rule for finding in found)
        totals.update(by_rule)
        counts = ", ".join(f"{rule} {count}" for rule, count in sorted(by_rule.items()))
        print(f"{number:2}. {title[:30]:<30} {len(summary):4} chars  {counts or 'nothing'}")
        if args.all:
            for finding in found:
                print(f"      [{finding.rule}] {finding.message}  «{finding.excerpt}»")
    print()
    print(f"{len(pairs)} entries; findings by rule:")
    for rule, count in totals.most_common():
        print(f"  {rule:12} {count}")


if __name__ == "__main__":
    main()
