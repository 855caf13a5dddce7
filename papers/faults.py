"""Why a paper's metadata could not be fetched, said in each reader's language.

A fetch runs in a worker, in no reader's language, and its outcome is read later by members
and reviewers of either language. So the fetch stores what went wrong as a fault: a code and
its parameters (the source, the paper's id there, what comes next), kept as JSON in
``Paper.metadata_error`` with the English text beside them for the admin and the log, and
``describe`` words it through gettext when a page or the API shows it. A row stored before
faults had codes holds only its text, which is shown as it is.

    {"fault": "unreachable", "source": "arxiv", "then": "retry", "text": "arXiv could not…"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from papers.enums import MetadataSource


@dataclass(frozen=True)
class Fault:
    """What went wrong (``code``, with its ``params``) and what comes next (``then``)."""

    code: str
    source: str
    params: dict[str, str] = field(default_factory=dict)
    then: str = ""
    #: What the source or the client said, in English: for operators, never translated.
    detail: str = ""

    def stored(self) -> str:
        """The value for ``Paper.metadata_error``: the fault, with its English text."""
        with translation.override("en"):
            text = describe_fault(self)
        if self.detail and self.detail not in text:
            text = f"{text} ({self.detail})"
        return json.dumps(
            {
                "fault": self.code,
                "source": self.source,
                **({"params": self.params} if self.params else {}),
                **({"then": self.then} if self.then else {}),
                "text": text,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    def with_then(self, then: str) -> Fault:
        return Fault(self.code, self.source, self.params, then, self.detail)


# What went wrong.
UNREACHABLE = "unreachable"
UNUSABLE = "unusable"
NOT_FOUND = "not_found"
#: Neither OpenAlex nor Crossref knows a DOI.
NOT_FOUND_ANYWHERE = "not_found_anywhere"
NOT_CONFIGURED = "not_configured"
REFUSED = "refused"
NOT_STORED = "not_stored"
NEVER_FINISHED = "never_finished"
STOPPED = "stopped"

# What comes next.
RETRY = "retry"
GAVE_UP = "gave_up"
KEPT = "kept"
BY_HAND = "by_hand"


def _source_name(source: str) -> str:
    try:
        return str(MetadataSource(source).label)
    except ValueError:
        return source


def _cause(fault: Fault) -> str:
    values = {"source": _source_name(fault.source), **fault.params}
    if fault.code == UNREACHABLE:
        return _("%(source)s could not be reached.") % values
    if fault.code == UNUSABLE:
        return _("%(source)s answered something unusable.") % values
    if fault.code == NOT_FOUND:
        return _("%(source)s has no paper with the id %(id)s.") % values
    if fault.code == NOT_FOUND_ANYWHERE:
        return _("Neither OpenAlex nor Crossref has a paper with the DOI %(id)s.") % values
    if fault.code == NOT_CONFIGURED:
        return (
            _(
                "%(source)s is switched off on this site, so this paper's metadata cannot be "
                "fetched. You can fill in its fields by hand."
            )
            % values
        )
    if fault.code == REFUSED:
        return _("%(source)s refused this site's access.") % values
    if fault.code == NOT_STORED:
        return _("What %(source)s sent for this paper could not be stored.") % values
    if fault.code == NEVER_FINISHED:
        return _("Fetching this paper never finished in %(attempts)s attempts.") % values
    if fault.code == STOPPED:
        return _("The fetch stopped before this paper was stored.")
    return _("%(source)s could not give this paper's metadata.") % values


def describe_fault(fault: Fault) -> str:
    """The fault in the active language: what went wrong, then what comes next."""
    cause = _cause(fault)
    if fault.then == RETRY:
        return _("%(cause)s Will try again.") % {"cause": cause}
    if fault.then == GAVE_UP:
        return _("%(cause)s Gave up after retrying.") % {"cause": cause}
    if fault.then == KEPT:
        return _("Refreshing failed: %(cause)s The metadata shown is from the last fetch.") % {
            "cause": cause
        }
    if fault.then == BY_HAND:
        return _(
            "%(cause)s Fill in its fields by hand, or fetch it again once the source is corrected."
        ) % {"cause": cause}
    return cause


def read_fault(stored: str) -> Fault | None:
    """The fault ``Paper.metadata_error`` holds, or None for an old row's text (or none)."""
    if not stored.startswith("{"):
        return None
    try:
        data: Any = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("fault"), str):
        return None
    params = data.get("params") or {}
    return Fault(
        code=data["fault"],
        source=str(data.get("source", "")),
        params={str(k): str(v) for k, v in params.items()} if isinstance(params, dict) else {},
        then=str(data.get("then", "")),
    )


def describe(stored: str) -> str:
    """What to show of ``Paper.metadata_error`` in the active language: the fault worded
    anew, or an old row's text as it was stored."""
    fault = read_fault(stored)
    return stored if fault is None else describe_fault(fault)


def english_text(stored: str) -> str:
    """The English text stored with a fault (with the source's own words), or an old row's."""
    if read_fault(stored) is None:
        return stored
    return str(json.loads(stored).get("text", ""))
