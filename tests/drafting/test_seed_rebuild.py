"""The seed's 14 paper entries rebuilt by a contributor with drafting on: what they still type.

``../shared/examples/000_27ed92895d22b51c.txt`` is read where it is (the parsing is the seed
issue test's). For each paper the contributor pastes its link (and the code link, where the
seed has one) into the recommend form and saves a draft without a summary; its metadata arrives
(entered here, as the fetch would store it); the drafting task asks the local stand-in, which
answers with the seed's own Chinese title and summary for the paper, as a model writing in the
publication's voice would; the answer goes through the validation like any other; the edit form
opens with the drafts and the contributor submits them as they are. A field the drafts left
empty (an answer refused) is typed in full. The characters typed are counted per entry against
the same form filled by hand, and printed (``pytest -s``); docs/DRAFTING.md quotes the figure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from drafting.models import Draft
from papers.services.catalogue import AuthorData, PaperMetadata
from papers.services.hand_entry import enter_metadata_by_hand
from recommendations.models import Recommendation, Transition
from tests.issues.test_seed_issue import SEED, _entries, _heading, _seed_lines
from tests.servers.llm import LLMStandIn, Reply, completion, needs_recordings

pytestmark = [
    pytest.mark.django_db,
    needs_recordings,
    pytest.mark.skipif(not SEED.is_file(), reason=f"the seed issue is not at {SEED}"),
]

#: What a contributor typed per entry in the rebuild of the whole issue by hand, on average
#: (7,266 characters over 31 forms for 14 entries).
TYPED_BY_HAND = 519


class SeedModel(LLMStandIn):
    """Answers each paper with the seed's own Chinese title and summary."""

    seed: dict[str, dict[str, str]]

    def answer(self, request: dict[str, Any]) -> Reply:
        paper = json.loads(request["messages"][1]["content"])
        entry = self.seed[paper["title"]]
        draft = {
            "title_zh": entry["title_zh"],
            "summary_zh": entry["summary"],
            "summary_en": f"An English summary of the paper {paper['title']}.",
            "subject_zh": entry["title_zh"][:12],
            "subject_en": " ".join(paper["title"].split()[:5]),
            "topic": "",
            "institutions": [],
        }
        return Reply(body=completion(json.dumps(draft, ensure_ascii=False), model="seed"))


def _seed() -> list[dict[str, str]]:
    entries = []
    for entry in _entries(_seed_lines()):
        if "summary" not in entry or "url" not in entry:
            continue
        _institutions, title, title_zh = _heading(entry["heading"])
        entries.append({**entry, "title": title, "title_zh": title_zh})
    return entries


@pytest.fixture
def model(settings: Any) -> Iterator[SeedModel]:
    stand_in = SeedModel()
    stand_in.seed = {entry["title"]: entry for entry in _seed()}
    with stand_in.running():
        settings.LLM_API_URL = stand_in.url
        settings.LLM_MODEL = "seed"
        settings.LLM_MONTHLY_TOKEN_BUDGET = 0
        settings.LLM_MEMBER_HOURLY_DRAFTS = 20
        yield stand_in


def _identifier(url: str) -> str:
    # One of the seed's AMiner links is a digit short; the seed issue test gives it a stand-in
    # id, and the contributor's typing is counted as the link they pasted.
    aminer_id = url.split("/pub/")[1].split("?")[0]
    return url if len(aminer_id) == 24 else "aminer:" + "0" * 24


def test_rebuilding_the_seed_with_drafts_leaves_little_to_type(
    model: SeedModel, team: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entries = _seed()
    assert len(entries) == 14
    client = Client()
    client.force_login(team.contributor)
    by_hand, with_drafts, drafted_fields = [], [], 0
    for entry in entries:
        typed = len(entry["url"]) + len(entry.get("code", ""))
        by_hand.append(typed + len(entry["title_zh"]) + len(entry["summary"]))
        response = client.post(
            reverse("recommendations:paper-create"),
            {
                "publication": team.publication.slug,
                "identifier": _identifier(entry["url"]),
                "code_url": entry.get("code", ""),
                "action": "draft",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        recommendation = Recommendation.objects.get(paper__title="", submitter=team.contributor)
        authors = [AuthorData(name.strip()) for name in entry["authors"].rstrip("等 ").split(",")]
        with django_capture_on_commit_callbacks(execute=True):
            enter_metadata_by_hand(
                recommendation.paper,
                PaperMetadata(title=entry["title"], authors=authors),
                by=team.editor,
            )
        edit = reverse("recommendations:edit", args=[recommendation.pk])
        page = client.get(edit)
        form, offer = page.context["form"], page.context["offer"]
        values = {
            name: form.get_initial_for_field(form.fields[name], name) or ""
            for name in ("summary", "title_zh", "code_url", "topic")
        }
        # What the drafts did not fill, the contributor types from the seed.
        for name, seed_value in (("summary", entry["summary"]), ("title_zh", entry["title_zh"])):
            if name not in offer.fields:
                values[name] = seed_value
                typed += len(seed_value)
        drafted_fields += len(offer.fields)
        with_drafts.append(typed)
        saved = client.post(edit, {**values, "drafted_fields": ",".join(offer.fields)})
        assert saved.status_code == 302
        submitted = client.post(reverse("recommendations:submit", args=[recommendation.pk]))
        assert submitted.status_code == 302
        recommendation.refresh_from_db()
        assert recommendation.status == "submitted"
        assert recommendation.summary == entry["summary"]

    average_by_hand = sum(by_hand) / len(by_hand)
    average = sum(with_drafts) / len(with_drafts)
    print(
        f"\nSeed rebuild, {len(entries)} entries: {drafted_fields} fields drafted and accepted; "
        f"characters typed per entry on the contributor's form {average_by_hand:.0f} by hand, "
        f"{average:.0f} with drafts (the whole issue by hand: {TYPED_BY_HAND})."
    )
    assert Draft.objects.filter(status="ready").count() == 14
    assert Draft.objects.exclude(accepted_by=team.contributor).count() == 0
    marks = [
        change["drafted"]
        for transition in Transition.objects.filter(action="edit")
        for change in transition.changes
        if "drafted" in change
    ]
    assert marks == ["as_is"] * drafted_fields
    assert average < TYPED_BY_HAND / 3
