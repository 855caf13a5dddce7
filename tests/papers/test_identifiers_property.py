"""Properties of papers.identifiers.parse_identifier, checked with hypothesis.

Whatever text arrives, the parser answers with an Identifier or an InvalidIdentifier, never any
other exception; every identifier it returns is canonical and survives a round trip through each
of the forms people paste.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier

OLD_ARCHIVES = ("hep-th", "math", "cs", "astro-ph", "cond-mat", "quant-ph", "q-bio", "nlin")


@st.composite
def new_style_ids(draw: st.DrawFn) -> str:
    year = draw(st.integers(min_value=7, max_value=26))
    month = draw(st.integers(min_value=4 if year == 7 else 1, max_value=12))
    digits = 5 if year >= 15 else 4
    number = draw(st.integers(min_value=1, max_value=10**digits - 1))
    return f"{year:02d}{month:02d}.{number:0{digits}d}"


@st.composite
def old_style_ids(draw: st.DrawFn) -> str:
    archive = draw(st.sampled_from(OLD_ARCHIVES))
    year = draw(st.integers(min_value=91, max_value=107)) % 100
    # Old-style ids run from August 1991 to March 2007.
    first, last = (8 if year == 91 else 1), (3 if year == 7 else 12)
    month = draw(st.integers(min_value=first, max_value=last))
    number = draw(st.integers(min_value=1, max_value=999))
    return f"{archive}/{year:02d}{month:02d}{number:03d}"


arxiv_ids = st.one_of(new_style_ids(), old_style_ids())
versions = st.one_of(st.none(), st.integers(min_value=1, max_value=99))


def _forms(value: str, version: int | None) -> list[str]:
    versioned = value if version is None else f"{value}v{version}"
    forms = [
        versioned,
        f"arXiv:{versioned}",
        f"ARXIV:{versioned}",
        f"https://arxiv.org/abs/{versioned}",
        f"http://export.arxiv.org/abs/{versioned}?context=cs#top",
        f"https://www.arxiv.org/pdf/{versioned}",
        f"https://arxiv.org/pdf/{versioned}.pdf",
        f"  \t{versioned}\n",
    ]
    if version is None:
        forms += [f"10.48550/arXiv.{value}", f"https://doi.org/10.48550/arXiv.{value}"]
    return forms


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_parse_identifier_any_text_gives_identifier_or_invalid_identifier(text: str) -> None:
    try:
        parsed = parse_identifier(text)
    except InvalidIdentifier as refused:
        message = str(refused)
    else:
        assert parsed == Identifier(parsed.scheme, parsed.value, parsed.version)
        return
    assert "Accepted forms" in message


_URLISH = st.text(
    alphabet=string.ascii_letters + string.digits + ":/.?#=&%-_~ vV", min_size=0, max_size=80
)


@settings(max_examples=300)
@given(
    st.sampled_from(
        [
            "",
            "arXiv:",
            "https://arxiv.org/abs/",
            "10.48550/arXiv.",
            "10.1038/",
            "doi:10.",
            "doi.org/",
            "acl:",
            "2022.",
            "https://aclanthology.org/",
            "https://www.aclweb.org/anthology/",
            "openreview:",
            "https://openreview.net/forum?id=",
            "openreview.net/pdf?",
            "s2:",
            "https://www.semanticscholar.org/paper/",
        ]
    ),
    _URLISH,
)
def test_parse_identifier_near_misses_never_raise_anything_else(prefix: str, rest: str) -> None:
    try:
        parsed = parse_identifier(prefix + rest)
    except InvalidIdentifier:
        return
    assert parsed.scheme in ("arxiv", "aminer", "doi", "acl", "openreview", "s2")
    if parsed.scheme == "doi":
        assert parsed.value == parsed.value.lower()
        assert parsed.value.isascii()


@settings(max_examples=200)
@given(arxiv_ids, versions)
def test_parse_identifier_every_form_of_an_arxiv_id_gives_the_same_identifier(
    value: str, version: int | None
) -> None:
    expected = Identifier("arxiv", value, version)
    forms = _forms(value, version)
    assert {text: parse_identifier(text) for text in forms} == dict.fromkeys(forms, expected)


@settings(max_examples=200)
@given(arxiv_ids, versions)
def test_parse_identifier_str_round_trips(value: str, version: int | None) -> None:
    identifier = Identifier("arxiv", value, version)
    assert parse_identifier(str(identifier)) == identifier
    assert parse_identifier(identifier.url) == identifier


@settings(max_examples=100)
@given(st.text(alphabet="0123456789abcdefABCDEF", min_size=24, max_size=24))
def test_parse_identifier_aminer_ids_are_lowercased(hex_id: str) -> None:
    for text in (f"https://www.aminer.cn/pub/{hex_id}", f"aminer:{hex_id}"):
        assert parse_identifier(text) == Identifier("aminer", hex_id.lower())


# A trailing slash is left out: a link's trailing slash is read as no part of the DOI.
_DOI_SUFFIX = st.text(
    alphabet=string.ascii_letters + string.digits + "-._;()/:", min_size=1, max_size=200
).filter(lambda suffix: not suffix.endswith("/"))


@settings(max_examples=200)
@given(st.integers(min_value=1000, max_value=999_999_999), _DOI_SUFFIX)
def test_parse_identifier_every_form_of_a_doi_gives_the_same_identifier(
    registrant: int, suffix: str
) -> None:
    doi = f"10.{registrant}/{suffix}"
    if doi.lower().startswith("10.48550/arxiv."):
        return  # arXiv's own DOIs name arXiv papers
    expected = Identifier("doi", doi.lower())
    forms = [doi, doi.upper(), f"doi:{doi}", f"https://doi.org/{doi}", f"dx.doi.org/{doi}"]
    assert {text: parse_identifier(text) for text in forms} == dict.fromkeys(forms, expected)
    assert parse_identifier(str(expected)) == expected


@settings(max_examples=200)
@given(
    st.integers(min_value=1950, max_value=2099),
    st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True),
    st.integers(min_value=1, max_value=9999),
)
def test_parse_identifier_every_form_of_an_acl_id_gives_the_same_identifier(
    year: int, venue: str, volume: str, paper: int
) -> None:
    acl_id = f"{year}.{venue}-{volume}.{paper}"
    expected = Identifier("acl", acl_id)
    forms = [
        acl_id,
        acl_id.upper(),
        f"acl:{acl_id}",
        f"https://aclanthology.org/{acl_id}/",
        f"https://aclanthology.org/{acl_id}.pdf",
        f"https://www.aclweb.org/anthology/{acl_id}",
    ]
    assert {text: parse_identifier(text) for text in forms} == dict.fromkeys(forms, expected)
    assert parse_identifier(str(expected)) == expected
