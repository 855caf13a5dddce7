"""Tests for papers.clients.arxiv, driven by recorded arXiv responses.

The recordings live outside the project (/work/shared/fixtures/arxiv, documented in
SOURCES.md there) and are read in place, as raw bytes. No test touches the network: every
client talks to an ``httpx.MockTransport``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from papers.clients import http
from papers.clients.arxiv import (
    BATCH_SIZE,
    ArxivAuthor,
    ArxivBadResponse,
    ArxivClient,
    ArxivEntry,
    ArxivError,
    ArxivQueryError,
    ArxivUnavailable,
    find_code_url,
    parse_feed,
    split_version,
)

# --------------------------------------------------------------------------- fixtures


def _find_fixture_dir() -> Path:
    # The repository sits next to "shared" (/work/main and /work/shared); walk up instead of
    # hard-coding a depth so that the tests survive being moved within the repository.
    here = Path(__file__).resolve()
    for ancestor in here.parents:
        candidate = ancestor / "shared" / "fixtures" / "arxiv"
        if candidate.is_dir():
            return candidate
    return here.parents[3] / "shared" / "fixtures" / "arxiv"


FIXTURES = _find_fixture_dir()
pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"the recorded arXiv responses are not at {FIXTURES}"
)

SINGLE = "arxivpy_new2026_single_1605.08386.xml"
VERSIONED_ZERO_TITLE = "arxivpy_new2026_versioned_2104.12255v1.xml"
ASTRO_PH = "arxivpy_new2026_oldstyle_astro-ph_0601001_affiliations_journalref.xml"
QUANT_PH = "arxivpy_new2026_oldstyle_versioned_quant-ph_0201082v1.xml"
NONASCII = "arxivpy_new2026_single_1707.08567_34authors_nonascii.xml"
TWO_IDS_ONE_MISSING = "arxivpy_new2026_idlist_2ids_1missing_0808.05394_1707.08567.xml"
EMPTY_0000 = "arxivpy_new2026_empty_0000.0000.xml"
EMPTY_0808 = "arxivpy_new2026_empty_0808.05394.xml"
ERROR_ABC = "arxivpy_new2026_error_http400_incorrect_id_abc.xml"
SEARCH_10 = "arxivpy_new2026_search_query_testing_10entries_doi.xml"
LEGACY_1111 = "arxivpy_legacy2016_single_versioned_1111.2011v2_doi_journalref.xml"
LEGACY_2ENTRIES = "arxivpy_legacy2016_search_2entries.xml"
LEGACY_COND_MAT = "arxivpy_legacy2016_search_1entry_oldstyle_cond-mat_0603029v1.xml"
ARXIV2BIB = "arxiv2bib_legacy2012_idlist_2papers_1205.1001v1_1001.1001v1.xml"
MANUAL_ERROR = "arxivdocs_legacy_manual_error_incorrect_id_format_1234.12345.xml"
MANUAL_TYPICAL = "arxivdocs_legacy_manual_typical_response_search_electron_hep-ex_0307015.xml"

ALL_XML = sorted(path.name for path in FIXTURES.glob("*.xml"))
ERROR_XML = [ERROR_ABC, MANUAL_ERROR]
ENTRY_XML = [
    SINGLE,
    VERSIONED_ZERO_TITLE,
    ASTRO_PH,
    QUANT_PH,
    NONASCII,
    TWO_IDS_ONE_MISSING,
    SEARCH_10,
    LEGACY_1111,
    LEGACY_2ENTRIES,
    LEGACY_COND_MAT,
    ARXIV2BIB,
    MANUAL_TYPICAL,
]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>
"""


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def only(data: bytes) -> ArxivEntry:
    entries = parse_feed(data)
    assert len(entries) == 1
    return entries[0]


def synthetic_feed(ids: list[str]) -> bytes:
    """A minimal new-dialect feed with one entry per id (for tests needing many ids)."""
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id><title>Paper {arxiv_id}</title>"
        f"<summary>About {arxiv_id}.</summary>"
        f"<published>2024-01-02T03:04:05Z</published><updated>2024-01-02T03:04:05Z</updated>"
        f"<author><name>A. Author</name></author></entry>"
        for arxiv_id in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>synthetic</title>{entries}</feed>"
    ).encode()


# --------------------------------------------------------------------------- mock arXiv


class FakeArxiv:
    """Records requests and answers them through a handler (status, body, headers)."""

    def __init__(
        self,
        respond: Callable[[httpx.Request], httpx.Response],
    ) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []
        self.limiter_depth = 0
        self.limiter_calls = 0
        self.inside_limiter: list[bool] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.inside_limiter.append(self.limiter_depth == 1)
        return self.respond(request)

    @contextlib.contextmanager
    def limiter(self) -> Iterator[None]:
        self.limiter_calls += 1
        self.limiter_depth += 1
        try:
            yield
        finally:
            self.limiter_depth -= 1

    def client(self, **kwargs: Any) -> ArxivClient:
        return ArxivClient(
            transport=httpx.MockTransport(self.handler), limiter=self.limiter, **kwargs
        )

    @property
    def id_lists(self) -> list[str]:
        return [params(request)["id_list"] for request in self.requests]


def params(request: httpx.Request) -> dict[str, str]:
    parsed = parse_qs(urlsplit(str(request.url)).query, keep_blank_values=True)
    assert all(len(values) == 1 for values in parsed.values())
    return {key: values[0] for key, values in parsed.items()}


def serve(routes: dict[str, tuple[int, str]]) -> FakeArxiv:
    """Serve fixture files by exact id_list; unknown id_lists fail the test loudly."""

    def respond(request: httpx.Request) -> httpx.Response:
        status, name = routes[params(request)["id_list"]]
        return httpx.Response(status, content=load(name))

    return FakeArxiv(respond)


def serve_bytes(status: int, body: bytes, headers: dict[str, str] | None = None) -> FakeArxiv:
    return FakeArxiv(lambda request: httpx.Response(status, content=body, headers=headers))


# --------------------------------------------------------------------------- split_version


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1605.08386", ("1605.08386", None)),
        ("1605.08386v1", ("1605.08386", 1)),
        ("2104.12255v12", ("2104.12255", 12)),
        ("astro-ph/0601001", ("astro-ph/0601001", None)),
        ("quant-ph/0201082v1", ("quant-ph/0201082", 1)),
        ("solv-int/9901001", ("solv-int/9901001", None)),
    ],
)
def test_split_version_returns_base_and_version(raw: str, expected: tuple[str, int | None]) -> None:
    assert split_version(raw) == expected


# --------------------------------------------------------------------------- parse_feed


def test_parse_feed_new2026_single_paper_fields() -> None:
    entry = only(load(SINGLE))

    assert entry == ArxivEntry(
        arxiv_id="1605.08386",
        version=1,
        title="Heat-bath random walks with Markov bases",
        abstract=entry.abstract,
        authors=(ArxivAuthor("Caprice Stanley", ()), ArxivAuthor("Tobias Windisch", ())),
        published=datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC),
        updated=datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC),
        primary_category="math.CO",
        categories=("math.CO", "math.ST"),
        doi=None,
        journal_ref=None,
        comment="20 pages, 3 figures",
        abs_url="https://arxiv.org/abs/1605.08386v1",
        pdf_url="https://arxiv.org/pdf/1605.08386v1",
        code_url=None,
    )
    assert entry.abstract.startswith("Graphs on lattice points are studied whose edges come")
    assert entry.abstract.endswith(
        "the heat-bath random walk, a generalization of the Glauber dynamics, is an expander "
        "in fixed dimension."
    )


def test_parse_feed_versioned_id_keeps_falsy_zero_title() -> None:
    entry = only(load(VERSIONED_ZERO_TITLE))

    assert entry.title == "0"
    assert entry.arxiv_id == "2104.12255"
    assert entry.version == 1
    assert entry.comment is None
    assert entry.categories == ("cs.CR",)
    assert entry.authors == (ArxivAuthor("Quan Thoi Minh Nguyen", ()),)
    assert entry.abstract.startswith("What is the funniest number in cryptography? 0.")


def test_parse_feed_oldstyle_id_with_affiliations_and_journal_ref() -> None:
    entry = only(load(ASTRO_PH))

    assert entry.arxiv_id == "astro-ph/0601001"
    assert entry.version == 1
    assert entry.authors == (
        ArxivAuthor("Andrew Gould", ("Ohio State",)),
        ArxivAuthor("Susan Dorsher", ("Ohio State",)),
        ArxivAuthor("B. Scott Gaudi", ("CfA",)),
        ArxivAuthor("Andrzej Udalski", ("Warsaw University Observatory",)),
    )
    assert entry.journal_ref == "ActaAstron.56:1-50,2006"
    assert entry.primary_category == "astro-ph"
    assert entry.categories == ("astro-ph",)
    assert entry.doi is None
    assert entry.abs_url == "https://arxiv.org/abs/astro-ph/0601001v1"
    assert entry.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    # Leading spaces go, entities are decoded.
    assert entry.abstract.startswith("We derive the frequencies of hot Jupiters")
    assert "following Gould & Morgan (2003)" in entry.abstract
    assert "spectroscopic-followup limit of V_max<17.5." in entry.abstract
    # The comment links to a .ps.gz on a university site, which is not a code host.
    assert entry.comment is not None
    assert entry.comment.endswith(
        "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz"
    )
    assert entry.code_url is None


def test_parse_feed_oldstyle_versioned_id_with_cross_list_categories() -> None:
    entry = only(load(QUANT_PH))

    assert entry.arxiv_id == "quant-ph/0201082"
    assert entry.version == 1
    assert entry.title == (
        "Quantum Computers and Quantum Computer Languages: "
        "Quantum Assembly Language and Quantum C Language"
    )
    assert entry.primary_category == "quant-ph"
    assert entry.categories == ("quant-ph", "cs.PL")
    assert entry.comment == "32 pages"
    assert entry.authors == (ArxivAuthor("Stephen Blaha", ()),)


def test_parse_feed_decodes_nonascii_author_names_from_utf8() -> None:
    entry = only(load(NONASCII))

    assert entry.arxiv_id == "1707.08567"
    assert len(entry.authors) == 34
    assert entry.authors[0].name == "Kees A. Schouhamer Immink"
    assert entry.authors[32].name == "Dirk Wübben"
    assert entry.authors[33].name == "Hirosuke Yamamoto"
    assert (
        entry.comment == "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )


def test_parse_feed_idlist_with_unknown_id_returns_only_existing_entry() -> None:
    entries = parse_feed(load(TWO_IDS_ONE_MISSING))

    assert [(entry.arxiv_id, entry.version) for entry in entries] == [("1707.08567", 1)]
    assert len(entries[0].authors) == 34


@pytest.mark.parametrize("name", [EMPTY_0000, EMPTY_0808])
def test_parse_feed_empty_result_returns_empty_list(name: str) -> None:
    assert parse_feed(load(name)) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (ERROR_ABC, "incorrect id format for abc"),
        (MANUAL_ERROR, "incorrect id format for 1234.12345"),
    ],
)
def test_parse_feed_error_feed_raises_query_error(name: str, message: str) -> None:
    with pytest.raises(ArxivQueryError) as caught:
        parse_feed(load(name))

    assert caught.value.message == message
    assert str(caught.value) == f"arXiv rejected the query: {message}"


def test_parse_feed_error_entry_next_to_real_entry_raises_query_error() -> None:
    error_entry = load(ERROR_ABC).split(b"<entry>")[1].split(b"</entry>")[0]
    data = load(SINGLE).replace(b"</feed>", b"<entry>" + error_entry + b"</entry></feed>")

    with pytest.raises(ArxivQueryError) as caught:
        parse_feed(data)

    assert caught.value.message == "incorrect id format for abc"


def test_parse_feed_search_page_with_dois_and_revised_versions() -> None:
    entries = parse_feed(load(SEARCH_10))

    assert [(entry.arxiv_id, entry.version) for entry in entries] == [
        ("2202.12139", 1),
        ("2405.13786", 1),
        ("2005.14124", 2),
        ("2204.08348", 3),
        ("2302.03287", 3),
        ("1202.4527", 1),
        ("2503.05378", 2),
        ("1205.1866", 1),
        ("2502.07719", 2),
        ("1812.11470", 1),
    ]
    assert [entry.doi for entry in entries] == [
        "10.1109/ICSTW55395.2022.00035",
        "10.1109/ICSTW58534.2023.00023",
        "10.1145/3395363.3397376",
        "10.1145/3533767.3534401",
        "10.1109/ICSTW58534.2023.00078",
        None,
        None,
        "10.5121/vlsic.2012.3205",
        None,
        None,
    ]
    fuzzing = entries[2]
    assert fuzzing.published == datetime(2020, 5, 28, 16, 19, 50, tzinfo=UTC)
    assert fuzzing.updated == datetime(2020, 7, 16, 8, 15, 48, tzinfo=UTC)
    assert fuzzing.categories == ("cs.SE", "cs.CR", "cs.LG")
    assert fuzzing.journal_ref == (
        "In Proc. ACM SIGSOFT International Symposium on Software Testing and Analysis "
        "(ISSTA 2020), pages 14-26. ACM, 2020"
    )
    assert entries[4].title == "ChatGPT and Software Testing Education: Promises & Perils"
    assert [author.name for author in entries[1].authors] == [
        "Aurora Ramírez",
        "Mario Berrios",
        "José Raúl Romero",
        "Robert Feldt",
    ]


def test_parse_feed_legacy_versioned_entry_collapses_wrapped_text() -> None:
    entry = only(load(LEGACY_1111))

    assert entry.arxiv_id == "1111.2011"
    assert entry.version == 2
    assert entry.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert entry.abstract.startswith(
        "Theoretical description of anisotropic systems, such as layered superconductors and "
        "coupled spin chains,"
    )
    assert entry.abstract.endswith(
        "adding a single extra dimension to the theory describing a single node."
    )
    assert "\n" not in entry.abstract
    assert "  " not in entry.abstract
    assert entry.published == datetime(2011, 11, 8, 18, 48, 36, tzinfo=UTC)
    assert entry.updated == datetime(2012, 4, 2, 12, 38, 54, tzinfo=UTC)
    assert entry.doi == "10.1103/PhysRevB.85.115117"
    assert entry.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert entry.comment == "8 pages, 3 figures. Published version"
    assert entry.primary_category == "cond-mat.str-el"
    assert entry.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert entry.abs_url == "http://arxiv.org/abs/1111.2011v2"
    assert entry.pdf_url == "http://arxiv.org/pdf/1111.2011v2"
    assert [author.name for author in entry.authors] == [
        "James M. Murray",
        "Adrian Del Maestro",
        "Zlatko Tesanovic",
    ]


def test_parse_feed_legacy_search_with_oldstyle_second_entry() -> None:
    first, second = parse_feed(load(LEGACY_2ENTRIES))

    assert (first.arxiv_id, first.version) == ("1111.2011", 2)
    assert (second.arxiv_id, second.version) == ("cond-mat/0607501", 2)
    assert second.title == (
        "A striped supersolid phase and the search for deconfined quantum criticality in "
        "hard-core bosons on the triangular lattice"
    )
    assert second.doi == "10.1103/PhysRevB.74.214517"
    assert second.journal_ref == "Phys. Rev. B 74, 214517 (2006)"
    assert second.categories == ("cond-mat.str-el",)


def test_parse_feed_legacy_oldstyle_single_entry() -> None:
    entry = only(load(LEGACY_COND_MAT))

    assert (entry.arxiv_id, entry.version) == ("cond-mat/0603029", 1)
    assert entry.doi == "10.1103/PhysRevB.74.024520"
    assert entry.comment == "10 pages, 11 figures; added reference"
    assert entry.categories == ("cond-mat.str-el", "cond-mat.supr-con")
    assert entry.pdf_url == "http://arxiv.org/pdf/cond-mat/0603029v1"


def test_parse_feed_arxiv2bib_two_papers_with_multiline_comment() -> None:
    first, second = parse_feed(load(ARXIV2BIB))

    assert (first.arxiv_id, second.arxiv_id) == ("1205.1001", "1001.1001")
    assert first.title == (
        "Membrane lateral structure: The influence of immobilized particles on domain size"
    )
    assert first.comment == "submitted to PCCP"
    assert first.categories == ("cond-mat.soft", "physics.bio-ph")
    assert len(first.authors) == 3
    assert second.comment == (
        'To appear in the proceedings of the 25th NSO Workshop "Chromospheric Structure and '
        "Dynamics. From Old Wisdom to New Insights\", Memorie della Societa' Astronomica "
        "Italiana, Eds. Tritschler et al"
    )
    assert second.primary_category == "astro-ph.SR"


def test_parse_feed_manual_example_unversioned_entry_id() -> None:
    entry = only(load(MANUAL_TYPICAL))

    assert entry.arxiv_id == "hep-ex/0307015"
    assert entry.version is None
    assert entry.title == (
        "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    )
    eastern = timezone(timedelta(hours=-4))
    assert entry.published == datetime(2003, 7, 7, 13, 46, 39, tzinfo=eastern)
    assert entry.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"
    assert entry.authors == (ArxivAuthor("H1 Collaboration", ()),)
    # The entry id carries no version, the links do.
    assert entry.abs_url == "http://arxiv.org/abs/hep-ex/0307015v1"
    assert entry.pdf_url == "http://arxiv.org/pdf/hep-ex/0307015v1"


@pytest.mark.parametrize("name", ENTRY_XML)
def test_parse_feed_every_entry_has_aware_dates_and_an_abs_url(name: str) -> None:
    entries = parse_feed(load(name))

    assert entries
    for entry in entries:
        assert entry.published is not None
        assert entry.published.utcoffset() is not None
        assert entry.updated is not None
        assert entry.updated.utcoffset() is not None
        assert entry.abs_url.startswith(("http://arxiv.org/abs/", "https://arxiv.org/abs/"))
        assert entry.title == entry.title.strip()
        assert "\n" not in entry.title


def test_parse_feed_fixture_inventory_is_complete() -> None:
    # Guards the parametrised tests above against silently testing fewer files.
    assert sorted([*ENTRY_XML, *ERROR_XML, EMPTY_0000, EMPTY_0808]) == ALL_XML


def test_parse_feed_doi_falls_back_to_doi_link() -> None:
    data = load(LEGACY_1111).replace(
        b'<arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1103/PhysRevB.85.115117'
        b"</arxiv:doi>",
        b"",
    )
    assert b"arxiv:doi" not in data

    assert only(data).doi == "10.1103/PhysRevB.85.115117"


def test_parse_feed_code_url_found_in_comment() -> None:
    data = load(SINGLE).replace(
        b"<arxiv:comment>20 pages, 3 figures</arxiv:comment>",
        b"<arxiv:comment>20 pages. Code: https://github.com/windisch/heat-bath.</arxiv:comment>",
    )

    assert only(data).code_url == "https://github.com/windisch/heat-bath"


def test_parse_feed_code_url_found_in_abstract_when_comment_has_none() -> None:
    data = load(SINGLE).replace(
        b"</summary>", b" Our code (see gitlab.com/stanley/markov-bases) is public.</summary>"
    )

    assert only(data).code_url == "https://gitlab.com/stanley/markov-bases"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<html><body>503 Service Unavailable</body></html>",
        b'{"error": "rate limited"}',
        b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>',
    ],
)
def test_parse_feed_garbage_raises_bad_response(data: bytes) -> None:
    with pytest.raises(ArxivBadResponse):
        parse_feed(data)


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_parse_feed_entity_tricks_raise_bad_response(data: bytes) -> None:
    with pytest.raises(ArxivBadResponse) as caught:
        parse_feed(data)

    assert str(caught.value) == (
        "arXiv sent a response with forbidden XML constructs (DTD or entities)."
    )


def test_parse_feed_entry_without_abs_id_raises_bad_response() -> None:
    data = load(SINGLE).replace(
        b"<id>http://arxiv.org/abs/1605.08386v1</id>", b"<id>http://example.org/x</id>"
    )

    with pytest.raises(ArxivBadResponse):
        parse_feed(data)


# --------------------------------------------------------------------------- find_code_url


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Code at https://github.com/org/repo.",), "https://github.com/org/repo"),
        (("(code: https://github.com/org/repo)",), "https://github.com/org/repo"),
        (("see https://github.com/org/repo), and more",), "https://github.com/org/repo"),
        (("\\url{https://gitlab.com/group/sub/project}",), "https://gitlab.com/group/sub/project"),
        (("Available at github.com/org/repo, soon",), "https://github.com/org/repo"),
        (("http://www.github.com/org/repo;",), "http://www.github.com/org/repo"),
        (("https://bitbucket.org/team/tool!",), "https://bitbucket.org/team/tool"),
        (("https://codeberg.org/me/thing",), "https://codeberg.org/me/thing"),
        (("https://sourceforge.net/projects/foo/",), "https://sourceforge.net/projects/foo/"),
        (("https://gitee.com/abc/def",), "https://gitee.com/abc/def"),
        # Balanced parentheses belong to the URL.
        (
            ("https://github.com/org/repo/tree/main/src_(v2)",),
            "https://github.com/org/repo/tree/main/src_(v2)",
        ),
        (("Project page: https://org.github.io/repo",), None),
        (("Weights: https://huggingface.co/spaces/org/demo",), None),
        (("https://notgithub.com/org/repo",), None),
        (("Mirror on https://github.com/ only",), None),
        ((None, "https://github.com/in/abstract"), "https://github.com/in/abstract"),
        (
            ("https://github.com/in/comment", "https://github.com/in/abstract"),
            "https://github.com/in/comment",
        ),
        (("", "no links"), None),
    ],
)
def test_find_code_url_extracts_first_code_host_link(
    texts: tuple[str | None, ...], expected: str | None
) -> None:
    assert find_code_url(*texts) == expected


# --------------------------------------------------------------------------- ArxivClient


def test_client_fetch_sends_id_list_max_results_and_start() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})

    result = fake.client().fetch(["1605.08386"])

    assert len(fake.requests) == 1
    request = fake.requests[0]
    assert request.method == "GET"
    assert request.url.scheme == "https"
    assert request.url.host == "export.arxiv.org"
    assert request.url.path == "/api/query"
    assert params(request) == {"id_list": "1605.08386", "max_results": "1", "start": "0"}
    assert request.headers["User-Agent"] == "Weekly/0.1 (+https://github.com/weekly)"
    assert list(result.entries) == ["1605.08386"]
    assert result.entries["1605.08386"].title == "Heat-bath random walks with Markov bases"
    assert result.missing == ()


def test_client_fetch_uses_configured_base_url_and_user_agent() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})

    fake.client(base_url="http://arxiv.test/api/query", user_agent="Test/1").fetch(["1605.08386"])

    assert str(fake.requests[0].url).startswith("http://arxiv.test/api/query?")
    assert fake.requests[0].headers["User-Agent"] == "Test/1"


def test_client_fetch_oldstyle_id_is_matched() -> None:
    fake = serve({"astro-ph/0601001": (200, ASTRO_PH)})

    result = fake.client().fetch(["astro-ph/0601001"])

    assert list(result.entries) == ["astro-ph/0601001"]
    assert result.entries["astro-ph/0601001"].authors[2] == ArxivAuthor("B. Scott Gaudi", ("CfA",))
    assert result.missing == ()


def test_client_fetch_versioned_id_is_keyed_by_versionless_id() -> None:
    fake = serve({"2104.12255v1": (200, VERSIONED_ZERO_TITLE)})

    result = fake.client().fetch(["2104.12255v1"])

    assert fake.id_lists == ["2104.12255v1"]
    assert list(result.entries) == ["2104.12255"]
    assert result.entries["2104.12255"].title == "0"
    assert result.entries["2104.12255"].version == 1
    assert result.missing == ()


def test_client_fetch_reports_id_absent_from_feed_as_missing() -> None:
    # totalResults says 1 here; only the ids of the entries count.
    fake = serve({"0808.05394,1707.08567": (200, TWO_IDS_ONE_MISSING)})

    result = fake.client().fetch(["0808.05394", "1707.08567"])

    assert params(fake.requests[0])["max_results"] == "2"
    assert list(result.entries) == ["1707.08567"]
    assert result.entries["1707.08567"].authors[32].name == "Dirk Wübben"
    assert result.missing == ("0808.05394",)


@pytest.mark.parametrize(
    ("arxiv_id", "name"), [("0000.0000", EMPTY_0000), ("0808.05394", EMPTY_0808)]
)
def test_client_fetch_empty_feed_reports_id_missing(arxiv_id: str, name: str) -> None:
    fake = serve({arxiv_id: (200, name)})

    result = fake.client().fetch([arxiv_id])

    assert result.entries == {}
    assert result.missing == (arxiv_id,)


def test_client_fetch_ignores_entries_that_were_not_requested() -> None:
    fake = serve({"2005.14124,9999.99999": (200, SEARCH_10)})

    result = fake.client().fetch(["2005.14124", "9999.99999"])

    assert list(result.entries) == ["2005.14124"]
    assert result.entries["2005.14124"].version == 2
    assert result.missing == ("9999.99999",)


def test_client_fetch_matches_entries_regardless_of_order() -> None:
    fake = serve({"1001.1001,1205.1001": (200, ARXIV2BIB)})

    result = fake.client().fetch(["1001.1001", "1205.1001"])

    assert result.entries["1001.1001"].authors == (ArxivAuthor("Philip G. Judge", ()),)
    assert result.entries["1205.1001"].comment == "submitted to PCCP"
    assert result.missing == ()


def test_client_fetch_batches_250_ids_into_100_100_50() -> None:
    ids = [f"2401.{number:05d}" for number in range(250)]
    absent = {"2401.00007", "2401.00150", "2401.00249"}

    def respond(request: httpx.Request) -> httpx.Response:
        asked = params(request)["id_list"].split(",")
        return httpx.Response(200, content=synthetic_feed([i for i in asked if i not in absent]))

    fake = FakeArxiv(respond)

    result = fake.client().fetch(ids)

    assert BATCH_SIZE == 100
    assert [params(request)["max_results"] for request in fake.requests] == ["100", "100", "50"]
    assert [params(request)["start"] for request in fake.requests] == ["0", "0", "0"]
    assert fake.id_lists == [",".join(ids[:100]), ",".join(ids[100:200]), ",".join(ids[200:])]
    assert fake.limiter_calls == 3
    assert fake.inside_limiter == [True, True, True]
    assert len(result.entries) == 247
    assert result.entries["2401.00100"].title == "Paper 2401.00100"
    assert result.missing == ("2401.00007", "2401.00150", "2401.00249")


def test_client_fetch_makes_each_request_inside_the_limiter() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})

    fake.client().fetch(["1605.08386"])

    assert fake.limiter_calls == 1
    assert fake.inside_limiter == [True]
    assert fake.limiter_depth == 0


def test_client_fetch_without_limiter_still_requests() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})
    client = ArxivClient(transport=httpx.MockTransport(fake.handler))

    result = client.fetch(["1605.08386"])

    assert list(result.entries) == ["1605.08386"]
    assert fake.inside_limiter == [False]


def test_client_fetch_empty_ids_makes_no_request() -> None:
    fake = serve({})

    result = fake.client().fetch([])

    assert result.entries == {}
    assert result.missing == ()
    assert fake.requests == []
    assert fake.limiter_calls == 0


def test_client_fetch_sends_each_paper_once() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})

    result = fake.client().fetch(["1605.08386", " 1605.08386 ", "1605.08386v1"])

    assert fake.id_lists == ["1605.08386"]
    assert list(result.entries) == ["1605.08386"]
    assert result.missing == ()


def test_client_fetch_unsendable_ids_are_missing_without_a_request() -> None:
    fake = serve({"1605.08386": (200, SINGLE)})

    result = fake.client().fetch(["", "1605.08386,abc", "1605.08386", "1605 08386"])

    assert fake.id_lists == ["1605.08386"]
    assert list(result.entries) == ["1605.08386"]
    assert result.missing == ("", "1605.08386,abc", "1605 08386")


def test_client_fetch_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        serve({}).client().fetch("1605.08386")


def test_client_fetch_error_feed_falls_back_to_one_by_one() -> None:
    fake = serve(
        {
            "1605.08386,abc,astro-ph/0601001": (400, ERROR_ABC),
            "1605.08386": (200, SINGLE),
            "abc": (400, ERROR_ABC),
            "astro-ph/0601001": (200, ASTRO_PH),
        }
    )

    result = fake.client().fetch(["1605.08386", "abc", "astro-ph/0601001"])

    assert fake.id_lists == [
        "1605.08386,abc,astro-ph/0601001",
        "1605.08386",
        "abc",
        "astro-ph/0601001",
    ]
    assert [params(request)["max_results"] for request in fake.requests] == ["3", "1", "1", "1"]
    assert fake.limiter_calls == 4
    assert fake.inside_limiter == [True, True, True, True]
    assert sorted(result.entries) == ["1605.08386", "astro-ph/0601001"]
    assert result.missing == ("abc",)


def test_client_fetch_error_feed_with_http_200_also_falls_back() -> None:
    fake = serve(
        {
            "abc,1605.08386": (200, ERROR_ABC),
            "abc": (200, ERROR_ABC),
            "1605.08386": (200, SINGLE),
        }
    )

    result = fake.client().fetch(["abc", "1605.08386"])

    assert fake.id_lists == ["abc,1605.08386", "abc", "1605.08386"]
    assert list(result.entries) == ["1605.08386"]
    assert result.missing == ("abc",)


def test_client_fetch_single_malformed_id_is_missing() -> None:
    fake = serve({"abc": (400, ERROR_ABC)})

    result = fake.client().fetch(["abc"])

    assert fake.id_lists == ["abc"]
    assert result.entries == {}
    assert result.missing == ("abc",)


def test_client_fetch_http400_without_error_feed_raises_bad_response() -> None:
    fake = serve_bytes(400, b"<html>Bad Request</html>")

    with pytest.raises(ArxivBadResponse) as caught:
        fake.client().fetch(["1605.08386", "1707.08567"])

    assert str(caught.value) == "arXiv refused the request (HTTP 400) without explanation."
    assert len(fake.requests) == 1


def test_client_fetch_unavailable_during_fallback_propagates() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if params(request)["id_list"] == "1605.08386,abc":
            return httpx.Response(400, content=load(ERROR_ABC))
        return httpx.Response(503)

    fake = FakeArxiv(respond)

    with pytest.raises(ArxivUnavailable):
        fake.client().fetch(["1605.08386", "abc"])

    assert fake.id_lists == ["1605.08386,abc", "1605.08386"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120.0), ("1.5", 1.5), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None)],
)
def test_client_fetch_429_raises_unavailable_with_retry_after(
    header: str, expected: float | None
) -> None:
    fake = serve_bytes(429, b"Rate exceeded.", {"Retry-After": header})

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after == expected
    assert str(caught.value) == (
        "arXiv is temporarily unavailable (HTTP 429). Please try again later."
    )


def test_client_fetch_429_retry_after_future_date_is_seconds_from_now() -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    header = future.strftime("%a, %d %b %Y %H:%M:%S GMT")
    fake = serve_bytes(429, b"", {"Retry-After": header})

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after is not None
    assert 3590 <= caught.value.retry_after <= 3600


def test_client_fetch_429_without_retry_after_has_none() -> None:
    fake = serve_bytes(429, b"")

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_client_fetch_server_error_raises_unavailable(status: int) -> None:
    fake = serve_bytes(status, b"<html>down</html>")

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after is None
    assert str(caught.value) == (
        f"arXiv is temporarily unavailable (HTTP {status}). Please try again later."
    )
    assert len(fake.requests) == 1


def test_client_fetch_503_with_retry_after_carries_it() -> None:
    fake = serve_bytes(503, b"", {"Retry-After": "30"})

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after == 30.0


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
def test_client_fetch_transport_error_raises_unavailable(error: httpx.TransportError) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        raise error

    fake = FakeArxiv(respond)

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client().fetch(["1605.08386"])

    assert caught.value.retry_after is None
    assert str(caught.value) == "arXiv could not be reached. Please try again later."
    assert caught.value.__cause__ is error
    assert fake.limiter_depth == 0


@pytest.mark.parametrize("status", [403, 404])
def test_client_fetch_unexpected_status_raises_bad_response(status: int) -> None:
    fake = serve_bytes(status, b"nope")

    with pytest.raises(ArxivBadResponse) as caught:
        fake.client().fetch(["1605.08386"])

    assert str(caught.value) == f"arXiv answered with unexpected HTTP status {status}."


def test_client_fetch_garbage_body_raises_bad_response() -> None:
    fake = serve_bytes(200, b"<html><body>Service temporarily unavailable</body></html>")

    with pytest.raises(ArxivBadResponse) as caught:
        fake.client().fetch(["1605.08386"])

    assert str(caught.value) == "arXiv sent XML that is not an Atom feed."


def test_client_fetch_billion_laughs_raises_bad_response() -> None:
    fake = serve_bytes(200, BILLION_LAUGHS)

    with pytest.raises(ArxivBadResponse) as caught:
        fake.client().fetch(["1605.08386"])

    assert str(caught.value) == (
        "arXiv sent a response with forbidden XML constructs (DTD or entities)."
    )


def test_client_fetch_oversized_body_with_content_length_raises_bad_response() -> None:
    body = load(SEARCH_10)
    fake = serve_bytes(200, body)

    with pytest.raises(ArxivBadResponse) as caught:
        fake.client(max_bytes=len(body) - 1).fetch(["1605.08386"])

    assert str(caught.value) == (
        f"arXiv sent a response larger than the {len(body) - 1} bytes we accept."
    )


def test_client_fetch_oversized_streamed_body_stops_reading_at_the_limit() -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(100):
            produced.append(number)
            yield b"x" * 1000

    fake = FakeArxiv(lambda request: httpx.Response(200, content=chunks()))

    with pytest.raises(ArxivBadResponse):
        fake.client(max_bytes=2500).fetch(["1605.08386"])

    assert produced == [0, 1, 2]


def test_client_fetch_body_of_exactly_max_bytes_is_accepted() -> None:
    body = load(SINGLE)
    fake = serve_bytes(200, body)

    result = fake.client(max_bytes=len(body)).fetch(["1605.08386"])

    assert list(result.entries) == ["1605.08386"]


def test_client_fetch_trickling_body_past_the_timeout_raises_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(second) for second in range(0, 1000, 10))
    monkeypatch.setattr(http, "monotonic", lambda: next(clock))

    def chunks() -> Iterator[bytes]:
        yield from (b" " for _ in range(10))

    fake = FakeArxiv(lambda request: httpx.Response(200, content=chunks()))

    with pytest.raises(ArxivUnavailable) as caught:
        fake.client(timeout=15.0).fetch(["1605.08386"])

    assert str(caught.value) == "arXiv responded too slowly. Please try again later."


def test_client_fetch_follows_redirect() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return httpx.Response(
                301, headers={"Location": str(request.url.copy_with(scheme="https"))}
            )
        return httpx.Response(200, content=load(SINGLE))

    fake = FakeArxiv(respond)

    result = fake.client(base_url="http://export.arxiv.org/api/query").fetch(["1605.08386"])

    assert [request.url.scheme for request in fake.requests] == ["http", "https"]
    assert list(result.entries) == ["1605.08386"]


def test_client_errors_share_a_base_class() -> None:
    assert issubclass(ArxivUnavailable, ArxivError)
    assert issubclass(ArxivBadResponse, ArxivError)
    assert issubclass(ArxivQueryError, ArxivError)
