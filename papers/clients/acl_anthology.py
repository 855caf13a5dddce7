"""Client for the ACL Anthology's own metadata: the XML file of a collection of proceedings.

The Anthology keeps its authoritative metadata as one XML file per collection (a conference's
year, ``2022.acl.xml``, or an old-style letter and year, ``P19.xml``), each holding its volumes
(``long``, ``short``, ``1``…) and their papers: title, authors (with affiliations where given),
abstract, DOI, pages, a code link. That file is what this client reads, and not the DOI the
Anthology registers with Crossref (``10.18653/v1/<id>``): every Anthology paper is in it, while
many (workshops, older volumes) have no DOI, and Crossref's deposits carry no abstracts. A file
covers a whole collection, so a fetch asks for each collection once, however many of its papers it
fetches, and keeps the answer for the next (``fetch_many``).

Free of Django and of the ORM like the arXiv client. The XML is parsed with defusedxml, no DTD
allowed, the body bounded. Retrying and the rate limit are the caller's, as for the others.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # only for types and ParseError; parsing uses defusedxml
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import defusedxml
import defusedxml.ElementTree as DefusedET
import httpx

from papers.clients.http import (
    KeptConnectionClient,
    SourceBadResponse,
    SourceNotConfigured,
    SourceUnavailable,
    bounded_get,
    check_status,
    clean_text,
    user_agent,
    web_url,
)
from papers.clients.records import FoundAuthor, FoundPaper

__all__ = [
    "SERVICE",
    "AclAnthologyClient",
    "AnthologyId",
    "index_collection",
    "parse_collection",
    "split_id",
]

SERVICE = "ACL Anthology"
# A year's collection of a large conference, abstracts included, is a few megabytes.
_DEFAULT_MAX_BYTES = 40_000_000
_MAX_TEXT = 100_000
_MAX_AUTHORS = 10_000

_NEW_STYLE = re.compile(
    r"(?P<collection>[0-9]{4}\.[a-z][a-z0-9]{0,39})-(?P<volume>[a-z0-9]{1,40})\.(?P<paper>[0-9]{1,4})",
    re.ASCII,
)
_OLD_STYLE = re.compile(r"(?P<collection>[A-Z][0-9]{2})-(?P<number>[0-9]{4})", re.ASCII)
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)


@dataclass(frozen=True)
class AnthologyId:
    collection: str
    volume: str
    paper: str

    @property
    def volume_id(self) -> str:
        return f"{self.collection}-{self.volume}"


def split_id(acl_id: str) -> AnthologyId:
    """Where a canonical Anthology id lives: its collection, volume and paper number.

    New-style ids spell them out (``2022.acl-long.123``). Old-style ones (``P19-1001``) pack the
    volume and the paper into four digits: two and two for workshops (``W``) and the few
    collections the Anthology numbers that way, one and three otherwise.
    """
    match = _NEW_STYLE.fullmatch(acl_id)
    if match:
        return AnthologyId(match["collection"], match["volume"], str(int(match["paper"])))
    match = _OLD_STYLE.fullmatch(acl_id)
    if match:
        collection, number = match["collection"], match["number"]
        two_digit_volume = (
            collection.startswith("W")
            or collection == "C69"
            or (collection == "D19" and int(number[0]) >= 5)
        )
        split = 2 if two_digit_volume else 1
        return AnthologyId(collection, str(int(number[:split])), str(int(number[split:])))
    raise ValueError(f"{acl_id!r} is not a canonical ACL Anthology id.")


def parse_collection(
    data: bytes, *, site_url: str = "https://aclanthology.org"
) -> dict[str, FoundPaper]:
    """Every paper of a collection's XML, by its Anthology id as the Anthology writes it
    (``2022.naloma-1.3``; ``P19-1001`` for old-style ids)."""
    return {
        acl_id: _paper(element, acl_id, venue=venue, year=year, site_url=site_url)
        for acl_id, (element, venue, year) in index_collection(data).items()
    }


def index_collection(data: bytes) -> dict[str, tuple[ET.Element, str, int | None]]:
    """Each paper's element in a collection's XML, with its volume's title and year, by its
    Anthology id. Papers are read one by one (``read_paper``), so that one the client refuses
    holds up none of the others."""
    try:
        root = DefusedET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceBadResponse(
            f"{SERVICE} sent XML with forbidden constructs (DTD or entities)."
        ) from exc
    except ET.ParseError as exc:
        raise SourceBadResponse(f"{SERVICE} sent a response that is not valid XML.") from exc
    if root.tag != "collection" or not root.get("id"):
        raise SourceBadResponse(f"{SERVICE} sent XML that is not a collection of volumes.")
    collection = root.get("id", "")
    papers: dict[str, tuple[ET.Element, str, int | None]] = {}
    for volume in root.findall("volume"):
        meta = volume.find("meta")
        venue = _text(meta.find("booktitle")) if meta is not None else ""
        year = _year(_text(meta.find("year")) if meta is not None else "")
        for paper in volume.findall("paper"):
            acl_id = _paper_id(collection, volume.get("id", ""), paper)
            if acl_id:
                papers[acl_id] = (paper, venue, year)
    return papers


def _paper_id(collection: str, volume: str, paper: ET.Element) -> str:
    # The paper's own <url> is its id ("2022.naloma-1.1", "P19-1001"); without one, it is built
    # as the Anthology builds it.
    url = _text(paper.find("url"))
    if url and not url.lower().startswith(("http://", "https://")):
        return url
    number = paper.get("id", "")
    if not (number.isascii() and number.isdigit()):
        return ""
    if _OLD_STYLE.fullmatch(f"{collection}-0000"):
        width = 2 if len(volume) == 2 else 3
        return f"{collection}-{volume}{int(number):0{width}d}"
    return f"{collection}-{volume}.{int(number)}"


def _paper(
    paper: ET.Element, acl_id: str, *, venue: str, year: int | None, site_url: str
) -> FoundPaper:
    title = _text(paper.find("title"))
    if not title:
        raise SourceBadResponse(f"{SERVICE} sent the paper {acl_id} without a title.")
    authors = paper.findall("author")
    if len(authors) > _MAX_AUTHORS:
        raise SourceBadResponse(f"{SERVICE} sent a paper with more than {_MAX_AUTHORS} authors.")
    site = site_url.rstrip("/")
    code = paper.find("pwccode")
    doi = _text(paper.find("doi")).lower()
    return FoundPaper(
        title=title,
        abstract=_text(paper.find("abstract")),
        authors=tuple(a for a in (_author(raw) for raw in authors) if a.name),
        year=year,
        venue=venue,
        url=f"{site}/{acl_id}/" if site else None,
        pdf_url=f"{site}/{acl_id}.pdf" if site and paper.find("url") is not None else None,
        code_url=web_url(code.get("url")) if code is not None else None,
        doi=doi if doi.startswith("10.") else None,
    )


def _author(raw: ET.Element) -> FoundAuthor:
    name = " ".join(part for part in (_text(raw.find("first")), _text(raw.find("last"))) if part)
    affiliation = _text(raw.find("affiliation"))
    return FoundAuthor(name, (affiliation,) if affiliation else ())


def _text(element: ET.Element | None) -> str:
    """The element's text, inner markup (<fixed-case>, <i>, <tex-math>) read as text."""
    if element is None:
        return ""
    text = clean_text("".join(element.itertext()))
    if len(text) > _MAX_TEXT:
        raise SourceBadResponse(f"{SERVICE} sent a text longer than {_MAX_TEXT} characters.")
    return text


def _year(text: str) -> int | None:
    return int(text) if _YEAR.fullmatch(text) and 1000 <= int(text) <= 2999 else None


class AclAnthologyClient(KeptConnectionClient):
    """Reads papers from the Anthology's collection files, each file once per client.

    ``data_url`` is where the files are (``<data_url>/<collection>.xml``); ``site_url`` the
    Anthology's site, for each paper's page and PDF. An empty ``data_url`` switches the source
    off: ``fetch`` raises ``SourceNotConfigured``.
    """

    accept = "application/xml"

    def __init__(
        self,
        data_url: str,
        *,
        site_url: str = "https://aclanthology.org",
        timeout: float = 15.0,
        max_bytes: int = _DEFAULT_MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        limiter: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.data_url = data_url.strip()
        self.site_url = site_url.strip()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent()
        self._transport = transport
        self._limiter = limiter
        self._http: httpx.Client | None = None
        self._collections: dict[str, dict[str, tuple[ET.Element, str, int | None]] | None] = {}

    def fetch(self, acl_id: str) -> FoundPaper | None:
        """The paper with this canonical Anthology id; ``None`` if the Anthology has none.

        Raises ``SourceNotConfigured``, ``SourceUnavailable`` (transient), ``SourceBadResponse``.
        """
        where = split_id(acl_id)
        if not self.data_url:
            raise SourceNotConfigured(
                f"{SERVICE} is switched off on this site (ACL_ANTHOLOGY_DATA_URL is empty), so "
                "this paper's metadata cannot be fetched. You can fill in its fields by hand."
            )
        if where.collection not in self._collections:
            self._collections[where.collection] = self._read(where.collection)
        papers = self._collections[where.collection]
        if papers is None or acl_id not in papers:
            return None
        element, venue, year = papers[acl_id]
        return _paper(element, acl_id, venue=venue, year=year, site_url=self.site_url)

    def _read(self, collection: str) -> dict[str, tuple[ET.Element, str, int | None]] | None:
        http = self._http_client()
        with self._limited():
            status, headers, body = bounded_get(
                http,
                f"{self.data_url.rstrip('/')}/{collection}.xml",
                params={},
                service=SERVICE,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                unavailable=SourceUnavailable,
                bad_response=SourceBadResponse,
            )
        check_status(status, headers, SERVICE)
        if status == 404:
            return None
        return index_collection(body)
