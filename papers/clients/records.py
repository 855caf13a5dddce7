"""What the clients of Crossref, the ACL Anthology, OpenReview and Semantic Scholar return: one
plain record of a paper, whichever of them it came from, so that the catalogue stores them alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class FoundAuthor:
    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class FoundPaper:
    title: str
    abstract: str = ""
    authors: tuple[FoundAuthor, ...] = ()
    published_on: dt.date | None = None
    year: int | None = None
    #: Where it was published: a journal, proceedings or conference, as the source names it.
    venue: str = ""
    #: The paper's own page at the source, and its PDF, when the source gives them.
    url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    #: Other identifiers of the paper the source names, canonical as ``papers.identifiers``
    #: writes them: the catalogue links or fills them (``link_identifiers``).
    doi: str | None = None
    arxiv_id: str | None = None
    acl_id: str | None = None

    @property
    def institutions(self) -> tuple[str, ...]:
        """The distinct affiliations, in author order."""
        return tuple(dict.fromkeys(a for author in self.authors for a in author.affiliations))
