"""Drafts offered on an entry's form: the fields a ready draft fills (those still empty), the
panel that shows its progress and asks for it, and which of the fields a person submitted came
from it. Used by the forms of the apps above (the contributor's, the team's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.forms import Form
from django.urls import reverse
from django.utils.translation import gettext as _

from drafting import selectors
from drafting.enums import DraftStatus
from drafting.models import Draft
from drafting.services.drafts import DRAFT_FIELDS, drafted_fields, drafting_on, is_final

#: The hidden input that names the fields a form was filled with from a draft.
OFFERED_INPUT = "drafted_fields"


@dataclass
class DraftOffer:
    publication: Any
    paper: Any
    draft: Draft | None
    prefix: str = ""
    #: The fields (unprefixed) the form shows filled from the draft.
    fields: list[str] = field(default_factory=list)
    #: The fields of the form a draft could fill.
    fillable: list[str] = field(default_factory=list)
    #: Where asking for drafts comes back to; empty: the page that shows the panel.
    next_url: str = ""

    @property
    def status_url(self) -> str:
        return reverse("drafting:draft-status", args=[self.publication.slug, self.paper.pk])

    @property
    def request_url(self) -> str:
        return reverse("drafting:draft-request", args=[self.publication.slug, self.paper.pk])

    @property
    def polling(self) -> bool:
        return self.draft is not None and not is_final(self.draft)

    @property
    def ready(self) -> bool:
        return self.draft is not None and self.draft.status == DraftStatus.READY

    @property
    def input_name(self) -> str:
        return f"{self.prefix}{OFFERED_INPUT}"

    @property
    def offered_value(self) -> str:
        return ",".join(self.fields)

    @property
    def note(self) -> str:
        return draft_note(self.draft) if self.ready and self.draft else ""


def draft_note(draft: Draft) -> str:
    """The note beside drafted fields: which model wrote them, with which prompt."""
    if draft.prompt_version:
        return _(
            "Drafted by the language model %(model)s (prompt version %(version)d). Check every "
            "word: it becomes your text only when you save it."
        ) % {"model": draft.model, "version": draft.prompt_version}
    return _(
        "Drafted by the language model %(model)s (the site's default prompt). Check every word: "
        "it becomes your text only when you save it."
    ) % {"model": draft.model}


def offer_drafts(
    form: Form, publication: Any, paper: Any, *, user: Any = None, next_url: str = ""
) -> DraftOffer | None:
    """The offer of drafts on ``form`` for ``paper``'s entry in ``publication``, or None where
    nothing is offered (no paper, drafting off). An unbound form's empty fields are filled from
    a ready draft; a bound one says which fields it was filled with (the hidden input).

    With ``user``, only a draft they may see is offered (``drafting.view_draft``): a form
    that does not know its entry yet (the recommend form) offers another member's draft as if
    there were none. ``next_url`` is where asking for drafts comes back to (else the page)."""
    if paper is None or not drafting_on(publication):
        return None
    if user is not None:
        draft = selectors.draft_seen_by(user, publication, paper)
    else:
        draft = selectors.draft_for(publication, paper)
    prefix = form.add_prefix("") if form.prefix else ""
    fillable = [name for name in DRAFT_FIELDS if name in form.fields]
    offer = DraftOffer(
        publication, paper, draft, prefix=prefix, fillable=fillable, next_url=next_url
    )
    if form.is_bound:
        named = str(form.data.get(offer.input_name, "")).split(",")
        offer.fields = [name for name in named if name in fillable]
        return offer
    if draft is not None and draft.status == DraftStatus.READY:
        for name in fillable:
            attribute = DRAFT_FIELDS[name]
            proposed = draft.topic_id if attribute == "topic" else getattr(draft, attribute)
            if proposed and not form.get_initial_for_field(form.fields[name], name):
                form.initial[name] = proposed
                offer.fields.append(name)
    return offer


def accepted_from(offer: DraftOffer | None, submitted: Mapping[str, Any]) -> dict[str, str]:
    """{field: "as_is" or "edited"} of the drafted fields a person submitted."""
    if offer is None:
        return {}
    return drafted_fields(offer.draft, offer.fields, submitted)
