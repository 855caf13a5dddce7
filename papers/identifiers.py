"""Recognise the ways people write down a paper: arXiv ids and links, DOIs, ACL Anthology ids and
links, OpenReview forum links, Semantic Scholar paper links, AMiner links.

``parse_identifier`` turns whatever a contributor pasted into one canonical ``Identifier``
(scheme, versionless value, optional arXiv version), or raises ``InvalidIdentifier`` with a
message that can be shown to that contributor as it is.

The parser is purely syntactic and never fetches anything: an identifier that is well formed
but names no paper is accepted here and found out when its metadata is fetched. It does not
consult the clock either, so a next-month arXiv id is accepted even if the server clock lags.

The input comes straight from a form, so it is treated as hostile: it is bounded in length
before any pattern runs, and every pattern below is linear (no nested or overlapping
repetition).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import SplitResult, unquote, urlsplit

from django.utils.translation import gettext, gettext_noop

__all__ = [
    "ACCEPTED_FORMS",
    "MAX_INPUT_LENGTH",
    "Identifier",
    "InvalidIdentifier",
    "parse_identifier",
]

Scheme = Literal["arxiv", "aminer", "doi", "acl", "openreview", "s2"]

# Marked for translation; the refusal message shows it in the active language.
ACCEPTED_FORMS: Final[str] = gettext_noop(
    "an arXiv id (2109.08133, 2109.08133v2, hep-th/9901001), "
    "an arXiv URL (https://arxiv.org/abs/…, /pdf/…), "
    "a DOI (10.1145/3292500.3330701, doi:10.…, https://doi.org/10.…; an arXiv DOI "
    "names the arXiv paper), "
    "an ACL Anthology id or URL (2022.acl-long.123, P19-1001, https://aclanthology.org/…), "
    "an OpenReview forum URL (https://openreview.net/forum?id=…, /pdf?id=…), "
    "a Semantic Scholar paper URL (https://www.semanticscholar.org/paper/…/<40 hex characters>) "
    "or an AMiner paper URL (https://www.aminer.cn/pub/<24 hex characters>)"
)

# Far longer than any real link (AMiner slugs included), short enough that nothing below can
# be made to do noticeable work.
MAX_INPUT_LENGTH: Final[int] = 2048

# How much of a refused input is quoted back: enough to recognise it, not enough to let a
# pasted essay flood a form error or a log line.
_QUOTE_LENGTH: Final[int] = 80

# Paper.arxiv_version is a PositiveSmallIntegerField; four digits stay well inside it and far
# above any real version count.
_MAX_VERSION_DIGITS: Final[int] = 4

_ARXIV_HOSTS: Final[frozenset[str]] = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_AMINER_HOSTS: Final[frozenset[str]] = frozenset(
    {"aminer.cn", "www.aminer.cn", "aminer.org", "www.aminer.org"}
)
_DOI_HOSTS: Final[frozenset[str]] = frozenset({"doi.org", "dx.doi.org"})
_ACL_HOSTS: Final[frozenset[str]] = frozenset({"aclanthology.org", "www.aclanthology.org"})
# The Anthology's former home; its links (…/anthology/P19-1001.pdf) are still cited everywhere.
_ACLWEB_HOSTS: Final[frozenset[str]] = frozenset({"aclweb.org", "www.aclweb.org"})
_OPENREVIEW_HOSTS: Final[frozenset[str]] = frozenset({"openreview.net", "www.openreview.net"})
_S2_HOSTS: Final[frozenset[str]] = frozenset({"semanticscholar.org", "www.semanticscholar.org"})
_KNOWN_HOSTS: Final[frozenset[str]] = (
    _ARXIV_HOSTS
    | _AMINER_HOSTS
    | _DOI_HOSTS
    | _ACL_HOSTS
    | _ACLWEB_HOSTS
    | _OPENREVIEW_HOSTS
    | _S2_HOSTS
)

# The longest DOI the catalogue stores (Paper.doi); real ones are far shorter.
_MAX_DOI_LENGTH: Final[int] = 255

# arXiv's DOIs are registered with DataCite under this prefix; the "arXiv." part is
# case-insensitive like every DOI, but arXiv writes it with that capitalisation.
_ARXIV_DOI_PREFIX: Final[str] = "10.48550/arXiv."

# re.ASCII throughout: in Unicode mode IGNORECASE folds look-alikes into ASCII letters (the
# long s U+017F matches "s", the Kelvin sign U+212A matches "k"); no identifier has them.
_NEW_STYLE = re.compile(
    r"(?P<yymm>[0-9]{4})\.(?P<number>[0-9]{4,5})(?:[vV](?P<version>[0-9]+))?",
    re.ASCII,
)
# Archive and subject class allow one inner hyphen (cond-mat, str-el), which every real name
# fits; the length bounds keep "archive/YYMMNNN" inside Paper.arxiv_id's 40 characters.
_OLD_STYLE = re.compile(
    r"(?P<archive>[A-Za-z]{1,12}(?:-[A-Za-z]{1,12})?)"
    r"(?:\.(?P<subject>[A-Za-z]{1,12}(?:-[A-Za-z]{1,12})?))?"
    r"/(?P<yymm>[0-9]{4})(?P<number>[0-9]{3})(?:[vV](?P<version>[0-9]+))?",
    re.ASCII,
)
# The pattern Crossref recommends for matching DOIs (it fits all but a few old SICI-style ones),
# applied to the lower-cased DOI: "10.", a registrant code of 4 to 9 digits, "/", a suffix.
_DOI = re.compile(r"10\.[0-9]{4,9}/[-._;()/:a-z0-9]+", re.ASCII)
# ACL Anthology ids. New style (2020 on): "<year>.<venue>-<volume>.<paper>", lower-case
# (2022.acl-long.123, 2020.nlp4convai-1.1, 2023.findings-acl.7). Old style: a letter, two year
# digits, a dash and four digits holding the volume and the paper (P19-1001, W18-5401).
_ACL_NEW_STYLE = re.compile(
    r"[0-9]{4}\.[a-z][a-z0-9]{0,39}-[a-z0-9]{1,40}\.(?P<paper>[0-9]{1,4})", re.ASCII
)
_ACL_OLD_STYLE = re.compile(r"[A-Z][0-9]{2}-[0-9]{4}", re.ASCII)
# OpenReview note ids: letters, digits, "_" and "-", case-sensitive ("rJl-b3RcF7", "0tWTxYYPnW").
_OPENREVIEW_ID = re.compile(r"[A-Za-z0-9_-]{5,64}", re.ASCII)
_OPENREVIEW_PATHS: Final[frozenset[str]] = frozenset({"/forum", "/forum/", "/pdf", "/pdf/"})
# A Semantic Scholar paper id: 40 hex digits (a SHA-1), after the title slug if there is one.
_S2_ID = re.compile(r"[0-9a-fA-F]{40}", re.ASCII)
_S2_PATH = re.compile(r"/paper/(?:[^/]{1,500}/)?(?P<id>[0-9a-fA-F]{40})/?", re.ASCII)
_HEX_ID = re.compile(r"[0-9a-fA-F]{24}", re.ASCII)
_HTTP_SCHEME = re.compile(r"https?://", re.ASCII | re.IGNORECASE)
# "/pub/<id>", optionally followed by the title slug AMiner appends, and a trailing slash.
_AMINER_PATH = re.compile(r"/pub/(?P<id>[0-9a-fA-F]{24})(?:/[^/]*)?/?", re.ASCII)
_ARXIV_PATH_KINDS: Final[frozenset[str]] = frozenset({"abs", "pdf", "html", "format"})

# Copied text often carries zero-width characters at its edges; str.strip() keeps them
# because Unicode does not count them as white space.
_INVISIBLE_EDGE_CHARACTERS: Final[frozenset[str]] = frozenset(
    {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
)


# The name is part of the API other apps already import, hence no "Error" suffix.
class InvalidIdentifier(ValueError):
    """The text is not a paper identifier this module recognises.

    ``str(error)`` is a complete, user-facing sentence: it quotes (a shortened, escaped form
    of) the input, gives the specific ``reason`` when one is known, and always lists the
    accepted forms.
    """

    def __init__(self, given: object, reason: str | None = None) -> None:
        self.given = given
        self.reason = reason
        super().__init__(_refusal_message(given, reason))

    def __reduce__(self) -> tuple[type[InvalidIdentifier], tuple[object, str | None]]:
        # Exceptions pickle as cls(*args), and args holds the finished message; without this a
        # round trip (a Celery result, say) would wrap the message in a second message.
        return (type(self), (self.given, self.reason))


def _refusal_message(given: object, reason: str | None) -> str:
    text = given if isinstance(given, str) else repr(given)
    # repr() escapes quotes, control and invisible characters, so the message stays one
    # readable line whatever was pasted; the ellipsis sits outside the quotes to show the cut.
    quoted = repr(text[:_QUOTE_LENGTH]) + ("…" if len(text) > _QUOTE_LENGTH else "")
    if reason:
        return gettext(
            "%(given)s is not a paper identifier we recognise: %(reason)s. "
            "Accepted forms: %(forms)s."
        ) % {"given": quoted, "reason": reason, "forms": gettext(ACCEPTED_FORMS)}
    return gettext(
        "%(given)s is not a paper identifier we recognise. Accepted forms: %(forms)s."
    ) % {"given": quoted, "forms": gettext(ACCEPTED_FORMS)}


@dataclass(frozen=True)
class Identifier:
    """A paper's canonical identity: ``scheme`` plus versionless ``value``, and a version.

    Two identifiers for the same paper compare equal only if their versions agree too; use
    ``(scheme, value)`` to ask whether they name the same paper.
    """

    scheme: Scheme
    #: "2109.08133" or "hep-th/9901001" for arXiv (no version, no subject class);
    #: 24 lowercase hex digits for AMiner; the lower-cased DOI ("10.1145/3292500.3330701").
    value: str
    #: The arXiv version the input named, if any; always None for AMiner.
    version: int | None = None

    def __post_init__(self) -> None:
        # Callers look papers up by value, so an identifier built by hand must be as canonical
        # as one that came out of parse_identifier.
        if self.scheme == "arxiv":
            _validate_canonical_arxiv(self.value, self.version)
        elif self.scheme == "aminer":
            if not (_HEX_ID.fullmatch(self.value) and self.value == self.value.lower()):
                raise ValueError(f"AMiner ids are 24 lowercase hex digits, not {self.value!r}.")
            if self.version is not None:
                raise ValueError("AMiner ids have no version.")
        elif self.scheme == "doi":
            _validate_canonical_doi(self.value, self.version)
        elif self.scheme == "s2":
            if not (_S2_ID.fullmatch(self.value) and self.value == self.value.lower()):
                raise ValueError(
                    f"Semantic Scholar ids are 40 lowercase hex digits, not {self.value!r}."
                )
            if self.version is not None:
                raise ValueError("Semantic Scholar ids have no version.")
        elif self.scheme == "openreview":
            if not (isinstance(self.value, str) and _OPENREVIEW_ID.fullmatch(self.value)):
                raise ValueError(f"{self.value!r} is not an OpenReview id.")
            if self.version is not None:
                raise ValueError("OpenReview ids have no version.")
        elif self.scheme == "acl":
            if not isinstance(self.value, str) or _acl_id(self.value) != self.value:
                raise ValueError(f"{self.value!r} is not a canonical ACL Anthology id.")
            if self.version is not None:
                raise ValueError("ACL Anthology ids have no version.")
        else:
            raise ValueError(f"Unknown identifier scheme {self.scheme!r}.")

    @property
    def url(self) -> str:
        """The paper's landing page: its arXiv abstract page (at the version given, if any)
        or its AMiner page."""
        if self.scheme == "arxiv":
            return f"https://arxiv.org/abs/{self._versioned_value}"
        if self.scheme == "doi":
            return f"https://doi.org/{self.value}"
        if self.scheme == "acl":
            return f"https://aclanthology.org/{self.value}/"
        if self.scheme == "openreview":
            return f"https://openreview.net/forum?id={self.value}"
        if self.scheme == "s2":
            return f"https://www.semanticscholar.org/paper/{self.value}"
        return f"https://www.aminer.cn/pub/{self.value}"

    @property
    def doi(self) -> str | None:
        """The paper's DOI: the one arXiv registered for it (versionless, as arXiv registers
        it), the DOI itself, or ``None`` for AMiner, which mints none."""
        if self.scheme == "arxiv":
            return f"{_ARXIV_DOI_PREFIX}{self.value}"
        if self.scheme == "doi":
            return self.value
        return None

    @property
    def _versioned_value(self) -> str:
        return self.value if self.version is None else f"{self.value}v{self.version}"

    def __str__(self) -> str:
        # Both forms are accepted by parse_identifier, so str() round-trips.
        if self.scheme == "arxiv":
            return f"arXiv:{self._versioned_value}"
        if self.scheme == "doi":
            return f"doi:{self.value}"
        if self.scheme == "acl":
            return f"acl:{self.value}"
        if self.scheme == "openreview":
            return f"openreview:{self.value}"
        if self.scheme == "s2":
            return f"s2:{self.value}"
        return f"aminer:{self.value}"


def parse_identifier(text: str) -> Identifier:
    """Parse one paper identifier, in any of the forms listed in ``ACCEPTED_FORMS``.

    Surrounding white space (Unicode spaces and zero-width characters included) is ignored;
    anything else that is not exactly one recognised form raises ``InvalidIdentifier``:
    empty input, input longer than ``MAX_INPUT_LENGTH``, control characters, other hosts, DOIs
    outside Crossref's recommended pattern, bare hex strings (which could be anything) and
    syntactically impossible arXiv ids (month 13, five-digit numbers before 2015, ...).
    """
    if not isinstance(text, str):
        raise InvalidIdentifier(text, gettext("it is not text"))
    # Measured before stripping so that no work at all is spent on an oversized input.
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidIdentifier(
            text,
            gettext("it is longer than %(limit)s characters") % {"limit": MAX_INPUT_LENGTH},
        )
    stripped = _strip_blank_edges(text)
    if not stripped:
        raise InvalidIdentifier(stripped, gettext("it is empty"))
    if any(unicodedata.category(char) == "Cc" for char in stripped):
        raise InvalidIdentifier(stripped, gettext("it contains control characters"))
    try:
        return _parse(stripped)
    except _RefusalError as refused:
        raise InvalidIdentifier(stripped, refused.reason) from None


class _RefusalError(Exception):
    """Raised inside the parser; parse_identifier turns it into InvalidIdentifier with the
    whole input, which the inner functions (seeing only a fragment) do not have."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse(text: str) -> Identifier:
    url = _as_url(text)
    if url is not None:
        return _parse_url(url)
    prefix, rest = _split_prefix(text)
    if prefix == "arxiv":
        return Identifier("arxiv", *_parse_arxiv_id(rest))
    if prefix == "aminer":
        if not _HEX_ID.fullmatch(rest):
            raise _RefusalError(
                gettext("after aminer: come the 24 hex characters of an AMiner paper id")
            )
        return Identifier("aminer", rest.lower())
    if prefix == "doi" or text.startswith("10."):
        return _parse_doi(rest)
    if prefix == "openreview":
        return Identifier("openreview", _parse_openreview_id(rest))
    if prefix == "s2":
        if not _S2_ID.fullmatch(rest):
            raise _RefusalError(
                gettext("after s2: come the 40 hex characters of a Semantic Scholar paper id")
            )
        return Identifier("s2", rest.lower())
    if prefix == "acl" or _looks_like_acl_id(text):
        return Identifier("acl", _parse_acl_id(rest))
    if _HEX_ID.fullmatch(text):
        # 24 hex digits are a MongoDB ObjectId, which many sites use; only the context of an
        # AMiner link (or prefix) says the paper is on AMiner.
        raise _RefusalError(
            gettext(
                "a bare 24-character hex string could come from anywhere; "
                "paste the AMiner link or write aminer:<id>"
            )
        )
    return Identifier("arxiv", *_parse_arxiv_id(text))


def _strip_blank_edges(text: str) -> str:
    # Index scanning rather than a regex: a "\s+$" search on a long run of spaces followed by
    # one non-space is quadratic.
    start, end = 0, len(text)
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_blank(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE_EDGE_CHARACTERS


def _split_prefix(text: str) -> tuple[str | None, str]:
    """Split "arXiv: 2109.08133" into ("arxiv", "2109.08133"); no known prefix gives None."""
    head, colon, rest = text.partition(":")
    if not colon:
        return None, text
    # Compared with casefold() on the short head only: lowering the whole text could change
    # its length ("İ" lowers to two characters) and is wasted work.
    prefix = head.casefold()
    if prefix in {"arxiv", "aminer", "doi", "acl", "openreview", "s2"}:
        return prefix, rest.lstrip()
    return None, text


def _as_url(text: str) -> SplitResult | None:
    """``text`` split as a URL if it is an http(s) URL or starts with a known host and a slash
    (a link pasted without its scheme); otherwise None."""
    if _HTTP_SCHEME.match(text):
        candidate = text
    else:
        host, slash, _path = text.partition("/")
        if not (slash and host.lower() in _KNOWN_HOSTS):
            return None
        candidate = f"https://{text}"
    try:
        return urlsplit(candidate)
    except ValueError:
        # urlsplit refuses some malformed netlocs (an unbalanced "[", for instance).
        raise _RefusalError(gettext("it is not a well-formed link")) from None


def _parse_url(url: SplitResult) -> Identifier:
    # The whole netloc is compared, not .hostname: a port, user info ("evil@arxiv.org") or
    # trailing dot is no part of any link arXiv, doi.org or AMiner hand out.
    host = url.netloc.lower()
    if host in _ARXIV_HOSTS:
        return Identifier("arxiv", *_parse_arxiv_path(url.path))
    if host in _DOI_HOSTS:
        # doi.org links often percent-encode the DOI's slash.
        doi = unquote(url.path).removeprefix("/").removesuffix("/")
        return _parse_doi(doi)
    if host in _ACL_HOSTS or host in _ACLWEB_HOSTS:
        return Identifier("acl", _parse_acl_path(url.path, old_host=host in _ACLWEB_HOSTS))
    if host in _S2_HOSTS:
        match = _S2_PATH.fullmatch(url.path)
        if match is None:
            raise _RefusalError(
                gettext(
                    "Semantic Scholar links are recognised only for paper pages "
                    "(/paper/<title>/<40 hex characters>)"
                )
            )
        return Identifier("s2", match["id"].lower())
    if host in _OPENREVIEW_HOSTS:
        return Identifier("openreview", _parse_openreview_link(url))
    if host in _AMINER_HOSTS:
        match = _AMINER_PATH.fullmatch(url.path)
        if match is None:
            raise _RefusalError(
                gettext("AMiner links are recognised only for paper pages (/pub/<id>)")
            )
        return Identifier("aminer", match["id"].lower())
    raise _RefusalError(
        gettext(
            "links are recognised only from arxiv.org, doi.org, aclanthology.org, "
            "openreview.net, semanticscholar.org and aminer.cn/aminer.org"
        )
    )


def _parse_arxiv_path(path: str) -> tuple[str, int | None]:
    """The arXiv id in the path of an arXiv paper link (/abs/, /pdf/, /html/, /format/)."""
    kind, slash, rest = path.removeprefix("/").partition("/")
    if not (slash and kind in _ARXIV_PATH_KINDS):
        raise _RefusalError(
            gettext("arXiv links are recognised only for papers (/abs/, /pdf/, /html/)")
        )
    rest = rest.removesuffix("/")
    if kind == "pdf":
        rest = rest.removesuffix(".pdf")
    return _parse_arxiv_id(rest)


def _parse_doi(doi: str) -> Identifier:
    """Any DOI, lower-cased (DOIs are case-insensitive); arXiv's DOIs
    ("10.48550/arXiv.2109.08133") name the arXiv paper."""
    prefix_length = len(_ARXIV_DOI_PREFIX)
    if doi[:prefix_length].lower() == _ARXIV_DOI_PREFIX.lower():
        value, version = _parse_arxiv_id(doi[prefix_length:])
        if version is not None:
            raise _RefusalError(gettext("arXiv DOIs name a paper, never one of its versions"))
        return Identifier("arxiv", value)
    if len(doi) > _MAX_DOI_LENGTH:
        raise _RefusalError(
            gettext("a DOI is at most %(limit)s characters long") % {"limit": _MAX_DOI_LENGTH}
        )
    # Checked before lower(): lower-casing non-ASCII text may change its length and letters
    # ("İ", the Kelvin sign), and no DOI the pattern accepts has them.
    value = doi.lower() if doi.isascii() else ""
    if not _DOI.fullmatch(value):
        raise _RefusalError(
            gettext("a DOI is 10., 4 to 9 digits, a slash, then letters, digits and -._;()/: only")
        )
    return Identifier("doi", value)


def _parse_openreview_link(url: SplitResult) -> str:
    """The note id of an OpenReview forum or PDF link (``/forum?id=<id>``, ``/pdf?id=<id>``);
    other parameters (``noteId``, ``referrer``) are left aside."""
    refusal = gettext("OpenReview links are recognised only for papers (/forum?id=…, /pdf?id=…)")
    if url.path not in _OPENREVIEW_PATHS:
        raise _RefusalError(refusal)
    # Split by hand rather than by parse_qs: the query is bounded by the input, and only one
    # "id" is wanted, never a list of them.
    ids = [part[3:] for part in url.query.split("&") if part.startswith("id=")]
    if len(ids) != 1:
        raise _RefusalError(refusal)
    return _parse_openreview_id(unquote(ids[0]))


def _parse_openreview_id(text: str) -> str:
    if not _OPENREVIEW_ID.fullmatch(text):
        raise _RefusalError(
            gettext("OpenReview ids are 5 to 64 letters, digits, _ and - (rJl-b3RcF7)")
        )
    return text


def _looks_like_acl_id(text: str) -> bool:
    """A bare Anthology id: "2022.acl-long.123" or "P19-1001" (arXiv ids have no letters after
    their dot, nor a dash)."""
    return bool(_ACL_OLD_STYLE.fullmatch(text.upper())) or (
        len(text) > 5 and text[:4].isdigit() and text[4] == "." and not text[5:6].isdigit()
    )


def _parse_acl_path(path: str, *, old_host: bool) -> str:
    """The Anthology id in the path of one of its paper links: /<id>/, /<id>.pdf, and on
    aclweb.org /anthology/<id>(.pdf)."""
    if old_host:
        head, slash, path = path.removeprefix("/").partition("/")
        if not (slash and head == "anthology"):
            raise _RefusalError(
                gettext("ACL Anthology links are recognised only for papers (/<id>/, /<id>.pdf)")
            )
    text = path.removeprefix("/").removesuffix("/").removesuffix(".pdf")
    if "/" in text:
        raise _RefusalError(
            gettext("ACL Anthology links are recognised only for papers (/<id>/, /<id>.pdf)")
        )
    return _parse_acl_id(text)


def _parse_acl_id(text: str) -> str:
    value = _acl_id(text)
    if value is None:
        raise _RefusalError(
            gettext(
                "ACL Anthology ids look like 2022.acl-long.123 (year.venue-volume.paper) or "
                "P19-1001"
            )
        )
    if _ACL_OLD_STYLE.fullmatch(value):
        # Old style: the last three digits number the paper (two in workshops, W); 0 is the
        # volume's front matter.
        front_matter = value.endswith("00" if value.startswith("W") else "000")
    else:
        front_matter = value.endswith(".0")
    if front_matter:
        raise _RefusalError(gettext("it names a volume's front matter, not a paper"))
    return value


def _acl_id(text: str) -> str | None:
    """The canonical spelling of an Anthology id (new style lower-case, old style with its
    letter upper-case), or None when ``text`` is none."""
    if not text.isascii():
        return None
    if _ACL_OLD_STYLE.fullmatch(text.upper()):
        return text.upper()
    lowered = text.lower()
    match = _ACL_NEW_STYLE.fullmatch(lowered)
    if match is None or match["paper"] != str(int(match["paper"])):
        return None
    return lowered


def _parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Split a bare arXiv id, new or old style, into (canonical value, version).

    Raises _RefusalError with a specific reason when the id has the right shape but cannot exist,
    and without one when it has no arXiv shape at all.
    """
    match = _NEW_STYLE.fullmatch(text)
    if match is not None:
        _check_new_style(match["yymm"], match["number"])
        version = _parse_version(match["version"])
        return f"{match['yymm']}.{match['number']}", version
    match = _OLD_STYLE.fullmatch(text)
    if match is not None:
        _check_old_style(match["yymm"], match["number"])
        version = _parse_version(match["version"])
        # The subject class ("math.GT/...") is not part of the paper's identity: arXiv files
        # the paper under the archive alone, and archive names are lowercase.
        return f"{match['archive'].lower()}/{match['yymm']}{match['number']}", version
    raise _RefusalError()


def _check_month(yymm: str) -> None:
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        raise _RefusalError(gettext("month %(month)s does not exist") % {"month": yymm[2:]})


def _check_new_style(yymm: str, number: str) -> None:
    _check_month(yymm)
    # Two-digit years 07..99 only: the scheme started in 2007, so "00".."06" cannot occur and
    # "YYMM" compares as a number.
    if int(yymm) < 704:
        raise _RefusalError(
            gettext(
                "new-style arXiv ids start in April 2007 (0704); "
                "older papers have ids like hep-th/9901001"
            )
        )
    if len(number) == 5 and int(yymm) <= 1412:
        raise _RefusalError(gettext("5-digit arXiv numbers start in January 2015 (1501)"))
    if len(number) == 4 and int(yymm) >= 1501:
        raise _RefusalError(gettext("arXiv numbers have 5 digits since January 2015 (1501)"))
    if int(number) == 0:
        raise _RefusalError(gettext("arXiv numbers start at 1, not 0"))


def _check_old_style(yymm: str, number: str) -> None:
    _check_month(yymm)
    # Two-digit years wrap at 2000: 91..99 are the 1990s, 00..07 the 2000s.
    year = int(yymm[:2])
    year += 1900 if year >= 91 else 2000
    if not (1991, 8) <= (year, int(yymm[2:])) <= (2007, 3):
        raise _RefusalError(
            gettext("old-style arXiv ids run from August 1991 (9108) to March 2007 (0703)")
        )
    if int(number) == 0:
        raise _RefusalError(gettext("arXiv numbers start at 1, not 0"))


def _parse_version(digits: str | None) -> int | None:
    if digits is None:
        return None
    # "v0" and "v02" are refused rather than read as something else: arXiv never writes
    # them, so they point at a typo.
    if digits.startswith("0"):
        raise _RefusalError(gettext("arXiv versions start at v1 and have no leading zeros"))
    if len(digits) > _MAX_VERSION_DIGITS:
        raise _RefusalError(
            gettext("version v%(digits)s is implausibly large") % {"digits": digits}
        )
    return int(digits)


def _validate_canonical_doi(value: str, version: int | None) -> None:
    if not (isinstance(value, str) and value.isascii() and _DOI.fullmatch(value)):
        raise ValueError(f"{value!r} is not a DOI.")
    if value != value.lower() or len(value) > _MAX_DOI_LENGTH:
        raise ValueError(f"DOIs are lower-case and at most {_MAX_DOI_LENGTH} long: {value!r}.")
    if value.startswith(_ARXIV_DOI_PREFIX.lower()):
        raise ValueError(f"arXiv DOIs are arXiv identifiers, not {value!r}.")
    if version is not None:
        raise ValueError("DOIs have no version.")


def _validate_canonical_arxiv(value: str, version: int | None) -> None:
    try:
        parsed_value, parsed_version = _parse_arxiv_id(value)
    except _RefusalError as refused:
        detail = f" ({refused.reason})" if refused.reason else ""
        raise ValueError(f"{value!r} is not a valid arXiv id{detail}.") from None
    if parsed_value != value or parsed_version is not None:
        raise ValueError(
            f"arXiv values are canonical and versionless ({parsed_value!r}), not {value!r}."
        )
    # bool is an int subclass; True as a version is a bug, not version 1.
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or version < 1
    ):
        raise ValueError(f"arXiv versions are integers from 1, not {version!r}.")
