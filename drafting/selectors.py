"""Reads of the drafting app: a publication's voice, its drafts, and the tokens spent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from drafting.backend import drafting_enabled
from drafting.enums import DraftStatus
from drafting.examples import examples_for
from drafting.house_style import (
    FIELD_SUBJECT,
    FIELD_SUMMARY,
    FIELD_TITLE,
    Finding,
    GlossaryEntry,
    HouseStyle,
    check_text,
)
from drafting.models import (
    BackendProblem,
    Draft,
    DraftingRequest,
    GlossaryTerm,
    HouseStyleSettings,
    PromptTemplate,
)
from drafting.prompts import PaperInput, PromptContext, TopicChoice
from papers import selectors as paper_selectors
from papers.institutions import normalise_name, short_forms
from papers.models import Paper
from publications import selectors as publication_selectors
from publications.permissions import can


def house_style_settings(publication: Any) -> HouseStyleSettings:
    """The publication's settings row, or an unsaved one with the defaults."""
    found = HouseStyleSettings.objects.filter(publication=publication).first()
    return found or HouseStyleSettings(publication=publication)


def glossary_of(publication: Any) -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(publication=publication).order_by("term", "pk"))


def house_style_of(publication: Any) -> HouseStyle:
    """What ``drafting.house_style.check_text`` holds the publication's texts to (two queries)."""
    row = house_style_settings(publication)
    return HouseStyle(
        glossary=tuple(
            GlossaryEntry(term.term, term.translation, term.avoided)
            for term in glossary_of(publication)
        ),
        spacing=row.spacing,
        summary_length=(row.summary_min_length, row.summary_max_length),
        title_length=(0, row.title_max_length),
    )


def prompt_templates(publication: Any) -> list[PromptTemplate]:
    """Every version, newest first."""
    return list(
        PromptTemplate.objects.filter(publication=publication)
        .select_related("created_by")
        .order_by("-version")
    )


def current_prompt(publication: Any) -> PromptTemplate | None:
    return PromptTemplate.objects.filter(publication=publication).order_by("-version").first()


def draft_for(publication: Any, paper: Any) -> Draft | None:
    if paper is None:
        return None
    return (
        Draft.objects.filter(publication=publication, paper=paper).select_related("topic").first()
    )


def draft_seen_by(user: Any, publication: Any, paper: Any) -> Draft | None:
    """The draft of ``paper``'s entry in ``publication`` if ``user`` may see it
    (``drafting.view_draft``), else None, as if there were none."""
    draft = draft_for(publication, paper)
    return draft if draft is not None and can(user, "drafting.view_draft", draft) else None


def month_start(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the current calendar month, in the site's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def tokens_this_month(now: dt.datetime | None = None) -> int:
    """Tokens of every request to the model since the month began, over the whole site."""
    spent = DraftingRequest.objects.filter(created_at__gte=month_start(now)).aggregate(
        total=Sum(F("prompt_tokens") + F("completion_tokens"))
    )["total"]
    return spent or 0


def requests_by_member_since(user: Any, since: dt.datetime) -> int:
    return DraftingRequest.objects.filter(requested_by=user, created_at__gte=since).count()


def backend_problems() -> list[BackendProblem]:
    return list(BackendProblem.objects.order_by("created_at"))


def prompt_context(publication: Any, *, examples: int = 3) -> PromptContext:
    """The glossary, topics and past entries a publication's instructions are filled with."""
    return PromptContext(
        publication=publication.name_zh or publication.name,
        glossary=house_style_of(publication).glossary,
        topics=[
            TopicChoice(topic.slug, topic.name_en, topic.name_zh)
            for topic in publication_selectors.topics(publication)
        ],
        examples=examples_for(publication, examples) if examples else [],
    )


def paper_input(paper: Paper) -> PaperInput:
    """The public metadata of ``paper`` the model is shown, and which of its institutions have
    no Chinese short form in the institution glossary."""
    paper = paper_selectors.papers_with_details().get(pk=paper.pk)
    known = paper_selectors.glossary()
    institutions = [pi.institution for pi in paper.paper_institutions.all()]
    return PaperInput(
        title=paper.title,
        abstract=paper.abstract,
        authors=paper_selectors.author_names(paper),
        institutions=[i.name for i in institutions],
        unknown_institutions=[i.name for i in institutions if not short_forms(i, known).has_zh],
    )


#: The paper a prompt is previewed on when the catalogue holds none with an abstract yet:
#: written here, in the shape of an arXiv record.
SAMPLE_PAPER = PaperInput(
    title="Sparse Retrieval Heads for Long-Document Question Answering",
    abstract=(
        "Pretrained language models answer questions about long documents poorly once the "
        "evidence is spread over many passages. We add a sparse retrieval head to a Transformer "
        "encoder and fine-tune it jointly with the reader, so that the model learns which "
        "passages to attend to. On three long-document benchmarks the approach improves exact "
        "match by 4 to 7 points while reading 60% fewer tokens."
    ),
    authors=["Lin Zhao", "Maria Keller"],
    institutions=["Tsinghua University", "University of Edinburgh"],
    unknown_institutions=["University of Edinburgh"],
)


def sample_paper() -> PaperInput:
    """The newest paper of the catalogue with a title and an abstract, or ``SAMPLE_PAPER``."""
    paper = (
        Paper.objects.exclude(title="")
        .exclude(abstract="")
        .order_by("-metadata_fetched_at", "-pk")
        .first()
    )
    return paper_input(paper) if paper is not None else SAMPLE_PAPER


#: The fields of an entry the house-style check reads, with the kind of text each is.
CHECKED_FIELDS = {
    "title_zh": FIELD_TITLE,
    "summary": FIELD_SUMMARY,
    "subject_zh": FIELD_SUBJECT,
}


def check_entry(
    publication: Any, values: dict[str, str], *, paper: Paper | None = None
) -> dict[str, list[Finding]]:
    """The house-style findings on an entry's title, summary and subject (those of ``values``
    that are given and not empty), by field; the paper's title and abstract, when known, are
    the English they render. Two queries (the publication's style and glossary)."""
    given = {name: values.get(name) or "" for name in CHECKED_FIELDS}
    if not any(given.values()):
        return {}
    style = house_style_of(publication)
    sources = {
        "title_zh": paper.title if paper is not None else "",
        "summary": paper.abstract if paper is not None else "",
        "subject_zh": "",
    }
    found = {}
    for name, text in given.items():
        findings = check_text(text, style=style, kind=CHECKED_FIELDS[name], source=sources[name])
        if findings:
            found[name] = findings
    return found


def drafted_papers(publication: Any, paper_ids: list[int]) -> set[int]:
    """Those of ``paper_ids`` whose entry in ``publication`` took text from a model's draft,
    when the publication tells its readers so (``show_draft_note``); else none (one query, two
    when it does)."""
    if not paper_ids or not house_style_settings(publication).show_draft_note:
        return set()
    return set(
        Draft.objects.filter(
            publication=publication, paper_id__in=paper_ids, accepted_at__isnull=False
        ).values_list("paper_id", flat=True)
    )


@dataclass(frozen=True)
class ShortFormProposal:
    """A Chinese short form ready drafts proposed for an institution, for an editor."""

    institution_id: int
    short_zh: str
    #: The model of the newest draft that proposed it.
    model: str
    #: How many ready drafts proposed it (one per paper and publication).
    drafts: int = 1
    #: The titles of the papers those drafts were written for, newest first.
    papers: tuple[str, ...] = ()


def short_form_proposals(institutions: Any) -> dict[int, list[ShortFormProposal]]:
    """{institution id: every distinct proposal} of the ``institutions`` (rows with ``pk`` and
    ``name``) that ready drafts of their own papers proposed a Chinese short form for, matched
    by the name the model was asked about (compared normalised); the proposals newest first,
    two differing only in spaces being one. None while drafting is off. Proposals are only read
    here: the glossary takes one when an editor names the institution. One query."""
    names = {row.pk: row.name for row in institutions}
    keys = {pk: normalise_name(name) for pk, name in names.items()}
    if not keys or not drafting_enabled():
        return {}
    drafts = (
        Draft.objects.filter(
            status=DraftStatus.READY, paper__paper_institutions__institution__in=list(keys)
        )
        .order_by("-updated_at", "-pk")
        .values_list(
            "pk", "paper__paper_institutions__institution", "institutions", "model", "paper__title"
        )
    )
    # {institution id: {short form: [model, draft ids, paper titles]}}, in the order first seen.
    found: dict[int, dict[str, tuple[str, list[int], list[str]]]] = {}
    for draft_id, institution_id, proposals, model, title in drafts:
        if not isinstance(proposals, list):
            continue
        for proposal in proposals:
            if not isinstance(proposal, dict):
                continue
            name, short_zh = proposal.get("name"), proposal.get("short_zh")
            if not isinstance(name, str) or not isinstance(short_zh, str) or not short_zh.strip():
                continue
            key = keys[institution_id]
            if name.strip() == names[institution_id] or (key and normalise_name(name) == key):
                short = " ".join(short_zh.split())
                _model, ids, titles = found.setdefault(institution_id, {}).setdefault(
                    short, (model, [], [])
                )
                if draft_id not in ids:
                    ids.append(draft_id)
                if title and title not in titles:
                    titles.append(title)
                break
    return {
        institution_id: [
            ShortFormProposal(institution_id, short, model, len(ids), tuple(titles))
            for short, (model, ids, titles) in by_short.items()
        ]
        for institution_id, by_short in found.items()
    }


def proposed_short_forms(institutions: Any) -> dict[int, ShortFormProposal]:
    """{institution id: the newest proposal} of ``short_form_proposals``: the one an
    institution's naming form is filled with. One query."""
    return {pk: found[0] for pk, found in short_form_proposals(institutions).items()}
