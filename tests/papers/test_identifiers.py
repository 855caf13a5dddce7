"""Tests for papers.identifiers: every accepted form, every refusal, and the properties.

Pure Python; nothing here needs Django or the network.
"""

from __future__ import annotations

import pickle

import pytest

from papers.identifiers import (
    ACCEPTED_FORMS,
    MAX_INPUT_LENGTH,
    Identifier,
    InvalidIdentifier,
    parse_identifier,
)

HEX = "5f0c2a5b9fced0a24b3d7c15"
HEX_MIXED = "5F0C2a5b9FCED0A24B3D7c15"


def _assert_arxiv(text: str, value: str, version: int | None) -> None:
    assert parse_identifier(text) == Identifier("arxiv", value, version)


def _refusal(text: str) -> str:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_identifier(text)
    message = str(caught.value)
    assert "Accepted forms" in message
    assert ACCEPTED_FORMS in message
    return message


# --------------------------------------------------------------------------- accepted arXiv


@pytest.mark.parametrize(
    ("text", "value", "version"),
    [
        ("2109.08133", "2109.08133", None),
        ("2109.08133v2", "2109.08133", 2),
        ("2109.08133v1", "2109.08133", 1),
        ("2109.08133v12", "2109.08133", 12),
        ("2109.08133V3", "2109.08133", 3),
        ("0704.0001", "0704.0001", None),  # the very first new-style id
        ("0704.0001v1", "0704.0001", 1),
        ("1412.9999", "1412.9999", None),  # the last month of 4-digit numbers
        ("1501.00001", "1501.00001", None),  # the first month of 5-digit numbers
        ("9912.99999", "9912.99999", None),  # the last id the two-digit year can express
        ("3001.00001", "3001.00001", None),  # the future: purely syntactic, no clock
        ("1001.0001", "1001.0001", None),
    ],
)
def test_parse_identifier_new_style_arxiv_id(text: str, value: str, version: int | None) -> None:
    _assert_arxiv(text, value, version)


@pytest.mark.parametrize(
    ("text", "value", "version"),
    [
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v2", "hep-th/9901001", 2),
        ("cond-mat/0603029v1", "cond-mat/0603029", 1),
        ("math.GT/0309136", "math/0309136", None),
        ("math.GT/0309136v3", "math/0309136", 3),
        ("cond-mat.str-el/0603029", "cond-mat/0603029", None),
        ("cs.AI/0101001", "cs/0101001", None),
        ("HEP-TH/9901001", "hep-th/9901001", None),
        ("q-bio/0401001", "q-bio/0401001", None),
        ("astro-ph/9108001", "astro-ph/9108001", None),  # the first old-style month
        ("quant-ph/0703999", "quant-ph/0703999", None),  # the last old-style month
        ("gr-qc/0001001", "gr-qc/0001001", None),  # across the year 2000
    ],
)
def test_parse_identifier_old_style_arxiv_id(text: str, value: str, version: int | None) -> None:
    _assert_arxiv(text, value, version)


@pytest.mark.parametrize(
    ("text", "value", "version"),
    [
        ("arXiv:2109.08133", "2109.08133", None),
        ("arxiv:2109.08133v2", "2109.08133", 2),
        ("ARXIV:2109.08133", "2109.08133", None),
        ("arXiv: 2109.08133", "2109.08133", None),
        ("arXiv:   2109.08133v4", "2109.08133", 4),
        ("arXiv:\u00a02109.08133", "2109.08133", None),
        ("arXiv:hep-th/9901001", "hep-th/9901001", None),
        ("arXiv:math.GT/0309136v1", "math/0309136", 1),
    ],
)
def test_parse_identifier_arxiv_prefix(text: str, value: str, version: int | None) -> None:
    _assert_arxiv(text, value, version)


@pytest.mark.parametrize(
    ("text", "value", "version"),
    [
        ("https://arxiv.org/abs/2109.08133", "2109.08133", None),
        ("https://arxiv.org/abs/2109.08133v2", "2109.08133", 2),
        ("http://arxiv.org/abs/2109.08133", "2109.08133", None),
        ("https://www.arxiv.org/abs/2109.08133", "2109.08133", None),
        ("https://export.arxiv.org/abs/2109.08133", "2109.08133", None),
        ("https://ArXiv.Org/abs/2109.08133", "2109.08133", None),
        ("HTTPS://ARXIV.ORG/abs/2109.08133", "2109.08133", None),
        ("https://arxiv.org/pdf/2109.08133", "2109.08133", None),
        ("https://arxiv.org/pdf/2109.08133.pdf", "2109.08133", None),
        ("https://arxiv.org/pdf/2109.08133v2", "2109.08133", 2),
        ("https://arxiv.org/pdf/2109.08133v2.pdf", "2109.08133", 2),
        ("https://arxiv.org/html/2109.08133", "2109.08133", None),
        ("https://arxiv.org/html/2109.08133v1", "2109.08133", 1),
        ("https://arxiv.org/html/2109.08133v1/", "2109.08133", 1),
        ("https://arxiv.org/format/2109.08133", "2109.08133", None),
        ("https://arxiv.org/abs/2109.08133/", "2109.08133", None),
        ("https://arxiv.org/abs/2109.08133?context=cs", "2109.08133", None),
        ("https://arxiv.org/abs/2109.08133v3#S2", "2109.08133", 3),
        ("https://arxiv.org/abs/2109.08133/?x=1#top", "2109.08133", None),
        ("arxiv.org/abs/2109.08133", "2109.08133", None),
        ("www.arxiv.org/pdf/2109.08133v1.pdf", "2109.08133", 1),
        ("export.arxiv.org/abs/2109.08133", "2109.08133", None),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2),
        ("https://arxiv.org/pdf/math.GT/0309136v1.pdf", "math/0309136", 1),
        ("arxiv.org/abs/cond-mat/0603029", "cond-mat/0603029", None),
    ],
)
def test_parse_identifier_arxiv_url(text: str, value: str, version: int | None) -> None:
    _assert_arxiv(text, value, version)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10.48550/arXiv.2109.08133", "2109.08133"),
        ("10.48550/arxiv.2109.08133", "2109.08133"),
        ("10.48550/ARXIV.2109.08133", "2109.08133"),
        ("10.48550/arXiv.hep-th/9901001", "hep-th/9901001"),
        ("doi:10.48550/arXiv.2109.08133", "2109.08133"),
        ("DOI: 10.48550/arXiv.2109.08133", "2109.08133"),
        ("https://doi.org/10.48550/arXiv.2109.08133", "2109.08133"),
        ("http://doi.org/10.48550/arXiv.2109.08133", "2109.08133"),
        ("https://dx.doi.org/10.48550/arXiv.2109.08133", "2109.08133"),
        ("https://doi.org/10.48550%2FarXiv.2109.08133", "2109.08133"),
        ("doi.org/10.48550/arXiv.2109.08133", "2109.08133"),
    ],
)
def test_parse_identifier_arxiv_doi(text: str, value: str) -> None:
    _assert_arxiv(text, value, None)


# --------------------------------------------------------------------------- accepted DOIs


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10.1145/3292500.3330701", "10.1145/3292500.3330701"),
        ("10.1038/NATURE14539", "10.1038/nature14539"),
        ("doi:10.1038/nature14539", "10.1038/nature14539"),
        ("DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038%2Fnature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539/", "10.1038/nature14539"),
        ("doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("10.18653/v1/2022.acl-long.123", "10.18653/v1/2022.acl-long.123"),
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("10.1002/1521-3773(20020104)41:1;1-2", "10.1002/1521-3773(20020104)41:1;1-2"),
        ("10.123456789/x", "10.123456789/x"),  # nine-digit registrant
        ("10.48550/other.1", "10.48550/other.1"),  # arXiv's prefix, not one of its papers
        ("10.1038/" + "a" * 247, "10.1038/" + "a" * 247),  # 255 characters, the most kept
    ],
)
def test_parse_identifier_doi(text: str, value: str) -> None:
    assert parse_identifier(text) == Identifier("doi", value)


# --------------------------------------------------------------------------- accepted ACL


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2022.acl-long.123", "2022.acl-long.123"),
        ("2022.ACL-Long.123", "2022.acl-long.123"),
        ("2022.naloma-1.3", "2022.naloma-1.3"),
        ("2020.nlp4convai-1.1", "2020.nlp4convai-1.1"),  # digits in the venue
        ("2023.findings-acl.7", "2023.findings-acl.7"),
        ("P19-1001", "P19-1001"),
        ("p19-1001", "P19-1001"),
        ("W18-5401", "W18-5401"),
        ("acl:2022.acl-long.123", "2022.acl-long.123"),
        ("ACL: P19-1001", "P19-1001"),
        ("https://aclanthology.org/2022.acl-long.123/", "2022.acl-long.123"),
        ("https://aclanthology.org/2022.acl-long.123", "2022.acl-long.123"),
        ("https://aclanthology.org/2022.acl-long.123.pdf", "2022.acl-long.123"),
        ("http://www.aclanthology.org/P19-1001/", "P19-1001"),
        ("aclanthology.org/P19-1001.pdf", "P19-1001"),
        ("https://www.aclweb.org/anthology/P19-1001.pdf", "P19-1001"),
        ("https://aclweb.org/anthology/P19-1001/", "P19-1001"),
    ],
)
def test_parse_identifier_acl_anthology(text: str, value: str) -> None:
    assert parse_identifier(text) == Identifier("acl", value)


# --------------------------------------------------------------------------- accepted OpenReview


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://openreview.net/forum?id=rJl-b3RcF7", "rJl-b3RcF7"),
        ("https://openreview.net/pdf?id=0tWTxYYPnW", "0tWTxYYPnW"),
        ("https://openreview.net/forum/?id=H1eA7AEtvS", "H1eA7AEtvS"),
        ("https://www.openreview.net/forum?id=YicbFdNTTy&noteId=Abc123xyzQ", "YicbFdNTTy"),
        ("openreview.net/forum?referrer=%5BTasks%5D&id=Sy_2s-ZCb", "Sy_2s-ZCb"),
        ("openreview:rJl-b3RcF7", "rJl-b3RcF7"),
        ("OpenReview: rJl-b3RcF7", "rJl-b3RcF7"),
    ],
)
def test_parse_identifier_openreview(text: str, value: str) -> None:
    assert parse_identifier(text) == Identifier("openreview", value)


# --------------------------------------------------------------------------- accepted S2

S2 = "354dcdebf3f8b5feeed5c62090e0bc1f0c28db06"


@pytest.mark.parametrize(
    "text",
    [
        f"https://www.semanticscholar.org/paper/Augmenting-large-language-models-Bran-Cox/{S2}",
        f"https://www.semanticscholar.org/paper/{S2}",
        f"https://www.semanticscholar.org/paper/{S2.upper()}/",
        f"semanticscholar.org/paper/{S2}",
        f"https://www.semanticscholar.org/paper/Some-title/{S2}?utm_source=x#cited",
        f"s2:{S2}",
        f"S2: {S2.upper()}",
    ],
)
def test_parse_identifier_semantic_scholar(text: str) -> None:
    assert parse_identifier(text) == Identifier("s2", S2)


# --------------------------------------------------------------------------- accepted AMiner


@pytest.mark.parametrize(
    "text",
    [
        f"https://www.aminer.cn/pub/{HEX}",
        f"https://aminer.cn/pub/{HEX}",
        f"http://www.aminer.cn/pub/{HEX}",
        f"https://www.aminer.org/pub/{HEX}",
        f"https://aminer.org/pub/{HEX}",
        f"www.aminer.cn/pub/{HEX}",
        f"aminer.cn/pub/{HEX}",
        f"aminer.org/pub/{HEX}",
        f"https://www.aminer.cn/pub/{HEX}/",
        f"https://www.aminer.cn/pub/{HEX}/attention-is-all-you-need",
        f"https://www.aminer.cn/pub/{HEX}/attention-is-all-you-need/",
        f"https://www.aminer.cn/pub/{HEX}?f=cs",
        f"https://www.aminer.cn/pub/{HEX}/some-title?f=cs#abstract",
        f"https://WWW.AMINER.CN/pub/{HEX}",
        f"https://www.aminer.cn/pub/{HEX_MIXED}",
        f"aminer:{HEX}",
        f"AMiner:{HEX_MIXED}",
        f"aminer: {HEX}",
    ],
)
def test_parse_identifier_aminer(text: str) -> None:
    assert parse_identifier(text) == Identifier("aminer", HEX, None)


# --------------------------------------------------------------------------- surrounding space


@pytest.mark.parametrize(
    "text",
    [
        "  2109.08133  ",
        "\t2109.08133\n",
        "2109.08133\r\n",
        "\u00a02109.08133\u00a0",  # no-break space
        "\u30002109.08133\u2003",  # ideographic and em spaces
        "\u200b2109.08133\ufeff",  # zero-width space and byte-order mark
        " \u2028 https://arxiv.org/abs/2109.08133 \u2029 ",
    ],
)
def test_parse_identifier_strips_surrounding_space(text: str) -> None:
    _assert_arxiv(text, "2109.08133", None)


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("\u3000\u200b\n", "it is empty"),
        ("2109.\n08133", "control characters"),
        ("2109.08133\x00", "control characters"),
        ("arXiv:\t2109.08133", "control characters"),
        ("2109.08133\x7f", "control characters"),
        ("2" * (MAX_INPUT_LENGTH + 1), f"longer than {MAX_INPUT_LENGTH} characters"),
        ("2113.00001", "month 13 does not exist"),
        ("2100.00001", "month 00 does not exist"),
        ("hep-th/9913001", "month 13 does not exist"),
        ("1234.12345", "month 34 does not exist"),
        ("1212.12345", "5-digit arXiv numbers start in January 2015"),
        ("0808.05394", "5-digit arXiv numbers start in January 2015"),
        ("1412.12345", "5-digit arXiv numbers start in January 2015"),
        ("1501.0001", "5 digits since January 2015"),
        ("2109.0813", "5 digits since January 2015"),
        ("0703.1234", "start in April 2007"),
        ("0001.0001", "start in April 2007"),
        ("0704.0000", "start at 1, not 0"),
        ("2109.00000", "start at 1, not 0"),
        ("hep-th/9901000", "start at 1, not 0"),
        ("hep-th/9107001", "August 1991"),
        ("hep-th/0704001", "March 2007"),
        ("hep-th/1001001", "March 2007"),
        ("2109.08133v0", "start at v1"),
        ("2109.08133v02", "no leading zeros"),
        ("hep-th/9901001v0", "start at v1"),
        ("2109.08133v12345", "implausibly large"),
        ("10.48550/arXiv.2109.08133v2", "never one of its versions"),
        ("10.1/abc", "4 to 9 digits"),
        ("10.1234567890/abc", "4 to 9 digits"),
        ("doi:10.1038", "4 to 9 digits"),
        ("10.1038/", "4 to 9 digits"),
        ("10.1038/nature 14539", "4 to 9 digits"),
        ("10.1038/<script>", "4 to 9 digits"),
        ("10.1038/caf\u00e9", "4 to 9 digits"),
        ("10.1038/\u0130nature", "4 to 9 digits"),  # İ lower-cases to two characters
        ("10.1038/nature\u212a", "4 to 9 digits"),  # the Kelvin sign folds to "k"
        ("https://doi.org/10.1038/abc%20def", "4 to 9 digits"),
        ("https://doi.org/10.1038/abc%00def", "4 to 9 digits"),
        ("10.1002/(SICI)1097-4636(199812)43:4<365::AID-JBM3>3.0.CO;2-5", "4 to 9 digits"),
        ("10.1038/" + "a" * 250, "at most 255 characters"),
        ("https://doi.org.evil.com/10.1038/nature14539", "links are recognised only from"),
        ("2022.acl-long.0", "front matter"),
        ("P19-1000", "front matter"),
        ("W18-5400", "front matter"),
        ("2022.acl-long.0123", "ACL Anthology ids look like"),
        ("2022.acl-long", "ACL Anthology ids look like"),
        ("2022.acl_long.1", "ACL Anthology ids look like"),
        ("2022.acl-long.12345", "ACL Anthology ids look like"),
        ("acl:P1-1001", "ACL Anthology ids look like"),
        ("acl:2022.\u0430cl-long.1", "ACL Anthology ids look like"),  # Cyrillic a
        ("https://aclanthology.org/volumes/2022.acl-long/", "recognised only for papers"),
        ("https://aclanthology.org/2022.acl-long.123/x", "recognised only for papers"),
        ("https://www.aclweb.org/2022.acl-long.1", "recognised only for papers"),
        ("https://aclanthology.org:8080/P19-1001", "links are recognised only from"),
        ("https://www.semanticscholar.org/author/Sam-Cox/2258961056", "paper pages"),
        (f"https://www.semanticscholar.org/paper/{HEX}", "paper pages"),
        ("https://www.semanticscholar.org/paper/a/b/" + "0" * 40, "paper pages"),
        ("https://www.semanticscholar.org/paper/" + "0" * 41, "paper pages"),
        ("https://api.semanticscholar.org/graph/v1/paper/" + "0" * 40, "links are recognised"),
        ("s2:" + "0" * 39, "40 hex characters"),
        ("s2:" + "g" * 40, "40 hex characters"),
        ("https://openreview.net/forum", "/forum?id="),
        ("https://openreview.net/forum?noteId=rJl-b3RcF7", "/forum?id="),
        ("https://openreview.net/group?id=ICLR.cc/2024/Conference", "/forum?id="),
        ("https://openreview.net/profile?id=~Li_Wei1", "/forum?id="),
        ("https://openreview.net/forum?id=a&id=b", "/forum?id="),
        ("https://openreview.net/forum?id=abc", "5 to 64 letters"),
        ("https://openreview.net/forum?id=rJl%20b3RcF7", "5 to 64 letters"),
        ("https://openreview.net/forum?id=rJl.b3RcF7", "5 to 64 letters"),
        ("openreview:" + "a" * 65, "5 to 64 letters"),
        ("https://openreview.net.evil.com/forum?id=rJl-b3RcF7", "links are recognised only from"),
        ("https://user@doi.org/10.1038/nature14539", "links are recognised only from"),
        ("https://example.com/abs/2109.08133", "links are recognised only from"),
        ("https://arxiv.org.evil.com/abs/2109.08133", "links are recognised only from"),
        ("https://user@arxiv.org/abs/2109.08133", "links are recognised only from"),
        ("https://arxiv.org:8080/abs/2109.08133", "links are recognised only from"),
        ("https://[arxiv.org/abs/2109.08133", "not a well-formed link"),
        ("arxiv.org/list/cs.AI/recent", "arXiv links are recognised only for papers"),
        ("https://arxiv.org/", "arXiv links are recognised only for papers"),
        ("https://arxiv.org/ABS/2109.08133", "arXiv links are recognised only for papers"),
        (f"https://www.aminer.cn/profile/{HEX}", "only for paper pages"),
        (f"https://www.aminer.cn/pub/{HEX}0", "only for paper pages"),
        (f"https://www.aminer.cn/pub/{HEX}/slug/extra", "only for paper pages"),
        (HEX, "bare 24-character hex string"),
        (HEX_MIXED, "bare 24-character hex string"),
        ("aminer:xyz", "24 hex characters"),
        (f"aminer:{HEX[:-1]}", "24 hex characters"),
    ],
)
def test_parse_identifier_refuses_with_reason(text: str, reason: str) -> None:
    assert reason in _refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "arXiv",
        "arXiv:",
        "2109",
        "2109.08133.1",
        "2109.081331",  # six digits
        "21090.8133",
        "2109-08133",
        "2109.08133v",
        "2109.08133v2a",
        "2109.08133 v2",
        "arXiv 2109.08133",
        "arXiv:arXiv:2109.08133",
        "\uff12\uff11\uff10\uff19.\uff10\uff18\uff11\uff13\uff13",  # fullwidth digits
        "\u0662\u0661\u0660\u0669.\u0660\u0668\u0661\u0663\u0663",  # Arabic-Indic digits
        "hep-th/990100",
        "hep-th/99010011",
        "hep_th/9901001",
        "hep--th/9901001",
        "/9901001",
        "math./0309136",
        "https://arxiv.org/abs/2109.08133.pdf",
        "https://arxiv.org/abs/",
        "https://arxiv.org/abs/2109.08133//",
        "ftp://arxiv.org/abs/2109.08133",
        "//arxiv.org/abs/2109.08133",
        "https://doi.org/",
        "doi:",
        "10.",
        "10.abcd/efg",
        "doi:doi:10.1038/nature14539",
        "10.1038\\nature14539",
        "10.48550/arXiv.",
        "10.48550/arXiv.abc",
        "aminer:",
        "2109.08133, 2110.00001",
        "'; DROP TABLE papers; --",
        "<script>alert(1)</script>",
        "\u202e2109.08133",  # right-to-left override
    ],
)
def test_parse_identifier_refuses_garbage(text: str) -> None:
    _refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "a" * MAX_INPUT_LENGTH,
        "a-" * (MAX_INPUT_LENGTH // 2),
        "a" * (MAX_INPUT_LENGTH - 1) + "/",
        "https://arxiv.org/abs/" + "/" * (MAX_INPUT_LENGTH - 30),
        "https://www.aminer.cn/pub/" + "a" * (MAX_INPUT_LENGTH - 30),
        "10.1038/" + "(" * (MAX_INPUT_LENGTH - 9) + "<",
        "https://doi.org/10.1038/" + "%2F" * ((MAX_INPUT_LENGTH - 24) // 3),
        "1" * (MAX_INPUT_LENGTH - 2) + "v",
        " " * (MAX_INPUT_LENGTH - 1) + "x",
    ],
)
def test_parse_identifier_refuses_hostile_input_of_maximum_length(text: str) -> None:
    # Each pattern is linear; a backtracking one would make this test hang, not fail.
    assert len(text) <= MAX_INPUT_LENGTH
    _refusal(text)


@pytest.mark.parametrize("value", [None, 2109.08133, b"2109.08133", ["2109.08133"]])
def test_parse_identifier_refuses_non_text(value: object) -> None:
    with pytest.raises(InvalidIdentifier, match="Accepted forms"):
        parse_identifier(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- error message


def test_invalid_identifier_message_quotes_input_and_lists_forms() -> None:
    assert _refusal("abc") == (
        "'abc' is not a paper identifier we recognise. Accepted forms: an arXiv id "
        "(2109.08133, 2109.08133v2, hep-th/9901001), an arXiv URL (https://arxiv.org/abs/…, "
        "/pdf/…), a DOI (10.1145/3292500.3330701, doi:10.…, https://doi.org/10.…; an arXiv DOI "
        "names the arXiv paper), an ACL Anthology id or URL (2022.acl-long.123, P19-1001, "
        "https://aclanthology.org/…), an OpenReview forum URL "
        "(https://openreview.net/forum?id=…, /pdf?id=…), a Semantic Scholar paper URL "
        "(https://www.semanticscholar.org/paper/…/<40 hex characters>) or an AMiner paper URL "
        "(https://www.aminer.cn/pub/<24 hex characters>)."
    )


def test_invalid_identifier_message_quotes_stripped_input() -> None:
    assert _refusal("  abc \n").startswith("'abc' is not")


def test_invalid_identifier_message_truncates_long_input() -> None:
    message = _refusal("x" * 500)
    assert message.startswith("'" + "x" * 80 + "'… is not")
    assert "x" * 81 not in message


def test_invalid_identifier_message_escapes_control_and_invisible_characters() -> None:
    message = _refusal("ab\ncd\u202e")
    assert "\n" not in message
    assert "\u202e" not in message
    assert r"'ab\ncd\u202e'" in message


def test_invalid_identifier_is_value_error_with_attributes() -> None:
    with pytest.raises(ValueError, match="month 13") as caught:
        parse_identifier("2113.00001")
    assert isinstance(caught.value, InvalidIdentifier)
    assert caught.value.given == "2113.00001"
    assert caught.value.reason == "month 13 does not exist"


def test_invalid_identifier_survives_pickling() -> None:
    error = InvalidIdentifier("abc", "some reason")
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert str(restored) == str(error)
    assert (restored.given, restored.reason) == ("abc", "some reason")


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize(
    ("identifier", "url", "doi", "text"),
    [
        (
            Identifier("arxiv", "2109.08133"),
            "https://arxiv.org/abs/2109.08133",
            "10.48550/arXiv.2109.08133",
            "arXiv:2109.08133",
        ),
        (
            Identifier("arxiv", "2109.08133", 2),
            "https://arxiv.org/abs/2109.08133v2",
            "10.48550/arXiv.2109.08133",
            "arXiv:2109.08133v2",
        ),
        (
            Identifier("arxiv", "hep-th/9901001", 1),
            "https://arxiv.org/abs/hep-th/9901001v1",
            "10.48550/arXiv.hep-th/9901001",
            "arXiv:hep-th/9901001v1",
        ),
        (
            Identifier("aminer", HEX),
            f"https://www.aminer.cn/pub/{HEX}",
            None,
            f"aminer:{HEX}",
        ),
        (
            Identifier("doi", "10.1038/nature14539"),
            "https://doi.org/10.1038/nature14539",
            "10.1038/nature14539",
            "doi:10.1038/nature14539",
        ),
        (
            Identifier("acl", "2022.acl-long.123"),
            "https://aclanthology.org/2022.acl-long.123/",
            None,
            "acl:2022.acl-long.123",
        ),
        (
            Identifier("openreview", "rJl-b3RcF7"),
            "https://openreview.net/forum?id=rJl-b3RcF7",
            None,
            "openreview:rJl-b3RcF7",
        ),
        (
            Identifier("s2", "354dcdebf3f8b5feeed5c62090e0bc1f0c28db06"),
            "https://www.semanticscholar.org/paper/354dcdebf3f8b5feeed5c62090e0bc1f0c28db06",
            None,
            "s2:354dcdebf3f8b5feeed5c62090e0bc1f0c28db06",
        ),
    ],
)
def test_identifier_properties(
    identifier: Identifier, url: str, doi: str | None, text: str
) -> None:
    assert identifier.url == url
    assert identifier.doi == doi
    assert str(identifier) == text


@pytest.mark.parametrize(
    "text",
    [
        "2109.08133",
        "2109.08133v2",
        "math.GT/0309136v1",
        "https://arxiv.org/pdf/2109.08133v3.pdf",
        f"https://www.aminer.cn/pub/{HEX_MIXED}/slug",
        "https://doi.org/10.1016/S0140-6736(20)30183-5",
        "https://www.aclweb.org/anthology/P19-1001.pdf",
        "2022.acl-long.123",
        "https://openreview.net/pdf?id=rJl-b3RcF7",
        "https://www.semanticscholar.org/paper/Title/354dcdebf3f8b5feeed5c62090e0bc1f0c28db06",
    ],
)
def test_identifier_str_and_url_round_trip(text: str) -> None:
    identifier = parse_identifier(text)
    assert parse_identifier(str(identifier)) == identifier
    assert parse_identifier(identifier.url) == identifier


def test_identifier_doi_round_trips_without_version() -> None:
    identifier = parse_identifier("2109.08133v2")
    assert identifier.doi is not None
    assert parse_identifier(identifier.doi) == Identifier("arxiv", "2109.08133")


def test_identifier_is_frozen_and_hashable() -> None:
    identifier = parse_identifier("2109.08133")
    with pytest.raises(AttributeError):
        identifier.value = "2109.08134"  # type: ignore[misc]
    assert {identifier, parse_identifier("arXiv:2109.08133")} == {identifier}


@pytest.mark.parametrize(
    ("scheme", "value", "version"),
    [
        ("arxiv", "2109.08133v2", None),  # version belongs in its own field
        ("arxiv", "math.GT/0309136", None),  # subject class is not canonical
        ("arxiv", "HEP-TH/9901001", None),
        ("arxiv", "2113.00001", None),
        ("arxiv", "abc", None),
        ("arxiv", "2109.08133", 0),
        ("arxiv", "2109.08133", True),
        ("aminer", HEX_MIXED, None),
        ("aminer", HEX, 1),
        ("aminer", "abc", None),
        ("doi", "10.48550/arXiv.2109.08133", None),
        ("doi", "10.48550/arxiv.2109.08133", None),  # an arXiv DOI is an arXiv identifier
        ("doi", "10.1038/NATURE14539", None),
        ("doi", "10.1038/nature14539", 1),
        ("doi", "10.1/x", None),
        ("doi", "doi:10.1038/nature14539", None),
        ("acl", "2022.ACL-long.1", None),
        ("acl", "p19-1001", None),
        ("acl", "2022.acl-long.1", 1),
        ("openreview", "a b c d e", None),
        ("openreview", "rJl-b3RcF7", 2),
        ("s2", "354DCDEBF3F8B5FEEED5C62090E0BC1F0C28DB06", None),
        ("s2", "354dcdebf3f8b5feeed5c62090e0bc1f0c28db0", None),
    ],
)
def test_identifier_refuses_non_canonical_construction(
    scheme: str, value: str, version: object
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError; the message varies by case
        Identifier(scheme, value, version)  # type: ignore[arg-type]
