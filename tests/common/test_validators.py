"""Tests of common.validators: the text normalisation that stored texts are compared with."""

from __future__ import annotations

import pytest

from common.validators import normalise_text


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("One\r\nTwo", "One\nTwo"),  # a textarea as browsers send it
        ("One\rTwo", "One\nTwo"),  # old Mac line breaks
        ("One  \nTwo\t\n", "One\nTwo"),  # blanks ending lines, a final line break
        ("\n\n  Indented first\n\n\n", "Indented first"),
        ("Para one\n\n\nPara two", "Para one\n\n\nPara two"),  # inner blank lines are kept
        ("  ", ""),
        ("第一行　\r\n第二行", "第一行\n第二行"),  # an ideographic space is a blank too
    ],
)
def test_normalise_text(sent: str, stored: str) -> None:
    assert normalise_text(sent) == stored
    assert normalise_text(stored) == stored
