"""The contributor's recommendation pages (``recommendations/views/recommendations.py``):
recommending a paper or a news item, the duplicate warning, the paper's metadata status, and "my
submissions" with its edit, submit and withdraw actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from publications.enums import TeamRole
from publications.models import Publication, Topic
from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict
from recommendations.forms.recommendations import PaperRecommendationForm, RecommendationEditForm
from recommendations.models import Recommendation, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
)
from tests.languages import in_chinese

pytestmark = pytest.mark.django_db

PAPER_URL = reverse("recommendations:paper-create")
NEWS_URL = reverse("recommendations:news-create")
LIST_URL = reverse("recommendations:list")
CHECK_URL = reverse("recommendations:check")
PREVIEW_URL = reverse("recommendations:preview")

DUPLICATE = (
    "You have already recommended this paper to this publication; edit that recommendation instead."
)


def _detail(rec: Recommendation) -> str:
    return reverse("recommendations:detail", args=[rec.pk])


def _messages(response: HttpResponse) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def _text(response: HttpResponse) -> str:
    return response.content.decode()


@pytest.fixture
def member(client: Client, contributor: Any) -> Client:
    client.force_login(contributor)
    return client


def _recommend(client: Client, url: str = PAPER_URL, **fields: Any) -> HttpResponse:
    data = {
        "publication": "pretraining-weekly",
        "identifier": "https://arxiv.org/abs/2305.14314v2",
        "summary": "Fine-tunes quantised models with **low-rank** adapters.",
        "action": "submit",
        **fields,
    }
    return client.post(url, data)


def _transitions(rec: Recommendation) -> list[tuple[str, str, str]]:
    return list(
        Transition.objects.filter(recommendation=rec).values_list(
            "action", "from_status", "to_status"
        )
    )


# ================================================================ login and navigation


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("paper-create", []),
        ("news-create", []),
        ("check", []),
        ("list", []),
        ("detail", [1]),
        ("paper-status", [1]),
        ("edit", [1]),
        ("withdraw", [1]),
    ],
)
def test_pages_anonymous_redirect_to_login(client: Client, name: str, args: list[int]) -> None:
    response = client.get(reverse(f"recommendations:{name}", args=args))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", ["preview", "submit"])
def test_posts_anonymous_redirect_to_login_and_change_nothing(client: Client, name: str) -> None:
    rec = RecommendationFactory(status=RecommendationStatus.DRAFT)
    args = [rec.pk] if name == "submit" else []

    response = client.post(reverse(f"recommendations:{name}", args=args), {"summary": "x"})

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Recommendation.objects.get().status == RecommendationStatus.DRAFT


def test_nav_links_shown_to_members_only(client: Client, contributor: Any) -> None:
    anonymous = _text(client.get(reverse("issues:home")))
    client.force_login(contributor)
    signed_in = _text(client.get(reverse("issues:home")))

    assert f'href="{PAPER_URL}"' not in anonymous
    assert f'href="{LIST_URL}"' not in anonymous
    assert f'href="{PAPER_URL}">Recommend</a>' in signed_in
    assert f'href="{LIST_URL}">My submissions</a>' in signed_in


# ================================================================ recommend a paper


def test_paper_form_renders_labelled_fields_with_htmx_hooks(
    member: Client, publication: Publication, topic: Topic
) -> None:
    response = member.get(PAPER_URL)

    html = _text(response)
    assert response.status_code == 200
    assert "<title>Recommend a paper</title>" in html
    assert html.count("<h1>") == 1
    for name in ("identifier", "summary", "title_zh", "code_url", "topic"):
        assert f'<label for="id_{name}"' in html
    # One publication: chosen without asking.
    assert '<input type="hidden" name="publication" value="pretraining-weekly"' in html
    assert f'hx-get="{CHECK_URL}"' in html
    assert f'hx-post="{PREVIEW_URL}"' in html
    assert "Language models" in html


def test_paper_form_with_several_publications_preselects_from_query(
    member: Client, publication: Publication, other_publication: Publication
) -> None:
    html = _text(member.get(PAPER_URL + "?publication=rl-weekly"))

    assert '<label for="id_publication"' in html
    assert '<option value="rl-weekly" selected>RL Weekly</option>' in html
    assert '<option value="pretraining-weekly">Pretraining Weekly</option>' in html


def test_paper_create_valid_arxiv_id_creates_recommendation_paper_and_enqueues_fetch(
    member: Client,
    contributor: Any,
    publication: Publication,
    topic: Topic,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from papers.tasks import task_fetch_paper_metadata

    enqueued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(task_fetch_paper_metadata, "delay", lambda *args: enqueued.append(args))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _recommend(
            member, topic=str(topic.pk), title_zh="量化低秩微调", code_url="https://github.com/x/y"
        )

    rec = Recommendation.objects.get()
    paper = Paper.objects.get()
    assert (response.status_code, response["Location"]) == (302, _detail(rec))
    assert _messages(response) == [("success", "Thank you: your recommendation is under review.")]
    assert (rec.status, rec.submitter, rec.publication, rec.paper, rec.topic) == (
        RecommendationStatus.SUBMITTED,
        contributor,
        publication,
        paper,
        topic,
    )
    assert (rec.title_zh, rec.code_url) == ("量化低秩微调", "https://github.com/x/y")
    assert (paper.arxiv_id, paper.metadata_status) == ("2305.14314", MetadataStatus.PENDING)
    assert len(callbacks) == 1
    assert enqueued == [([paper.pk], False)]
    assert _transitions(rec) == [("create", "", "draft"), ("submit", "draft", "submitted")]


def test_paper_create_as_draft_stays_draft(member: Client, publication: Publication) -> None:
    response = _recommend(member, action="draft")

    rec = Recommendation.objects.get()
    assert response["Location"] == _detail(rec)
    assert (rec.status, rec.submitted_at) == (RecommendationStatus.DRAFT, None)
    assert _messages(response) == [("success", "Saved as a draft. Submit it when it is ready.")]


def test_paper_create_malformed_identifier_shows_error_and_stores_nothing(
    member: Client, publication: Publication
) -> None:
    response = _recommend(member, identifier="my favourite paper")

    html = _text(response)
    assert response.status_code == 200
    assert "&#x27;my favourite paper&#x27; is not a paper identifier we recognise" in html
    assert "Accepted forms: an arXiv id" in html
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()


def test_paper_create_service_refusal_shows_on_its_field(
    member: Client, publication: Publication
) -> None:
    response = _recommend(member, code_url="javascript:alert(1)", summary="")

    html = _text(response)
    # The service checks the summary first; its message is the API's.
    assert "Write a summary: a paragraph on what the item is about." in html
    assert not Recommendation.objects.exists()

    response = _recommend(member, code_url="javascript:alert(1)")

    assert "Enter a full web address starting with http:// or https://." in _text(response)
    assert not Recommendation.objects.exists()


def test_paper_create_same_member_twice_in_one_publication_is_refused(
    member: Client, publication: Publication
) -> None:
    assert _recommend(member).status_code == 302

    response = _recommend(member, identifier="arXiv:2305.14314")

    assert response.status_code == 200
    assert DUPLICATE in _text(response)
    assert Recommendation.objects.count() == 1


def _main(response: HttpResponse) -> str:
    return _text(response).split("<main")[1].split("</main>")[0]


def test_a_refused_identifier_is_said_once_and_never_contradicted(
    member: Client, publication: Publication
) -> None:
    malformed = _main(_recommend(member, identifier="arXiv:99999.1"))
    assert malformed.count("is not a paper identifier we recognise") == 1

    assert _recommend(member).status_code == 302
    again = _main(_recommend(member, identifier="arXiv:2305.14314"))
    assert again.count(DUPLICATE) == 1
    assert "You may still recommend it" not in again


def test_paper_create_already_featured_in_publication_is_refused_naming_the_issue(
    member: Client, publication: Publication, other_contributor: Any
) -> None:
    paper = PaperFactory(arxiv_id="2305.14314")
    issue = IssueFactory(publication=publication, published=True, number=12)
    IssueEntryFactory(
        issue=issue, recommendation__paper=paper, recommendation__submitter=other_contributor
    )

    response = _recommend(member)

    html = _text(response)
    assert "This paper was already featured in Pretraining Weekly issue #12" in html
    assert "Already featured." not in html  # the field's error says it, once
    # The list under the field, without JavaScript, names who and where.
    assert f"Recommended by {other_contributor.public_name} to Pretraining Weekly" in html
    assert 'href="/en/p/pretraining-weekly/12/"' in html
    assert Recommendation.objects.count() == 1


def test_a_refusal_in_chinese_names_the_publication_in_chinese(
    member: Client, publication: Publication, other_contributor: Any
) -> None:
    paper = PaperFactory(arxiv_id="2305.14314")
    issue = IssueFactory(publication=publication, published=True, number=12)
    IssueEntryFactory(
        issue=issue, recommendation__paper=paper, recommendation__submitter=other_contributor
    )
    html = _main(_recommend(member, in_chinese(PAPER_URL)))

    assert f"这篇论文已收录在 {publication.name_zh} 第 12 期" in html
    assert "Pretraining Weekly" not in html
    assert Recommendation.objects.count() == 1


# ================================================================ the duplicate warning


def test_identifier_check_names_earlier_recommender_and_issue(
    member: Client, publication: Publication, other_publication: Publication
) -> None:
    earlier = UserFactory(username="alice", display_name="Alice <b>Zhang</b>")
    paper = PaperFactory(arxiv_id="2305.14314", title="QLoRA")
    issue = IssueFactory(publication=other_publication, published=True, number=7)
    IssueEntryFactory(issue=issue, recommendation__paper=paper, recommendation__submitter=earlier)

    response = member.get(
        CHECK_URL,
        {"identifier": "https://arxiv.org/abs/2305.14314", "publication": "pretraining-weekly"},
    )

    html = _text(response)
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert "Recommended before." in html
    assert "Recommended by Alice &lt;b&gt;Zhang&lt;/b&gt; to RL Weekly" in html
    assert 'featured in <a href="/en/p/rl-weekly/7/">issue 7</a>' in html
    assert "Already featured" not in html  # not in the chosen publication


@pytest.fixture
def hidden_history(
    contributor: Any, publication: Publication, other_publication: Publication
) -> dict[str, Any]:
    """One paper recommended five times: Grace's featured in Pretraining Weekly issue 5, the
    asking member's own (rejected) to Vision Weekly, Dave's rejected to RL Weekly, Erin's
    pending to Robotics Weekly and Ivan's withdrawn to Robotics Weekly."""
    vision = PublicationFactory(slug="vision-weekly", name="Vision Weekly")
    robotics = PublicationFactory(slug="robotics-weekly", name="Robotics Weekly")
    paper = PaperFactory(arxiv_id="2305.14314", title="QLoRA")
    rejected = RecommendationStatus.REJECTED
    IssueEntryFactory(
        issue=IssueFactory(publication=publication, published=True, number=5),
        recommendation__paper=paper,
        recommendation__submitter=UserFactory(display_name="Grace Published"),
    )
    RecommendationFactory(paper=paper, publication=vision, submitter=contributor, status=rejected)
    dave = UserFactory(display_name="Dave Rejected")
    RecommendationFactory(
        paper=paper, publication=other_publication, submitter=dave, status=rejected
    )
    erin = UserFactory(display_name="Erin Pending")
    RecommendationFactory(paper=paper, publication=robotics, submitter=erin)
    ivan = UserFactory(display_name="Ivan Withdrawn")
    RecommendationFactory(
        paper=paper, publication=robotics, submitter=ivan, status=RecommendationStatus.WITHDRAWN
    )
    return {"paper": paper, "vision": vision, "robotics": robotics}


def _warning(client: Client, way: str) -> str:
    """The duplicate warning for arXiv 2305.14314, as htmx asks for it while the member types,
    or as it comes with the re-shown form (a preview, which saves nothing)."""
    identifier = "https://arxiv.org/abs/2305.14314"
    if way == "check":
        return _text(
            client.get(CHECK_URL, {"identifier": identifier, "publication": "vision-weekly"})
        )
    page = _text(
        _recommend(client, identifier=identifier, publication="vision-weekly", action="preview")
    )
    # The form's list of publications names them all; the warning is its own element.
    return page.split('id="identifier-check"', 1)[1].split('<div class="field">', 1)[0]


@pytest.mark.parametrize("way", ["check", "form"])
def test_identifier_check_discloses_no_hidden_recommendation_of_others(
    member: Client, contributor: Any, hidden_history: dict[str, Any], way: str
) -> None:
    recommendations = Recommendation.objects.count()

    html = _warning(member, way)

    assert "Recommended before." in html
    assert "Recommended by Grace Published to Pretraining Weekly" in html
    assert 'featured in <a href="/en/p/pretraining-weekly/5/">issue 5</a>' in html
    assert f"Recommended by {contributor.public_name} to Vision Weekly" in html
    for hidden in ("Dave Rejected", "RL Weekly", "Erin Pending", "Ivan Withdrawn", "Robotics"):
        assert hidden not in html
    assert html.count("Recommended by ") == 2
    assert Recommendation.objects.count() == recommendations  # nothing saved


def test_identifier_check_hidden_recommendations_answer_as_if_there_were_none(
    member: Client, other_publication: Publication
) -> None:
    recommended = PaperFactory(arxiv_id="2305.14314", title="Same Title")
    RecommendationFactory(
        paper=recommended,
        publication=other_publication,
        submitter=UserFactory(display_name="Dave Rejected"),
        status=RecommendationStatus.REJECTED,
    )
    RecommendationFactory(paper=recommended, publication=other_publication)
    PaperFactory(arxiv_id="2401.00001", title="Same Title")

    hidden = _text(member.get(CHECK_URL, {"identifier": "2305.14314"}))
    never = _text(member.get(CHECK_URL, {"identifier": "2401.00001"}))

    assert hidden == never
    assert "We know this paper (Same Title); no issue has featured it yet." in hidden


def test_identifier_check_team_member_sees_their_publication_queue_only(
    client: Client, other_publication: Publication, hidden_history: dict[str, Any]
) -> None:
    rl_editor = UserFactory(display_name="RL Editor")
    MembershipFactory(publication=other_publication, user=rl_editor, role=TeamRole.EDITOR)
    client.force_login(rl_editor)

    html = _warning(client, "check")

    assert "Recommended by Dave Rejected to RL Weekly" in html
    assert "Recommended by Grace Published to Pretraining Weekly" in html
    for hidden in ("Vision Weekly", "Erin Pending", "Ivan Withdrawn", "Robotics"):
        assert hidden not in html
    assert html.count("Recommended by ") == 2


def test_identifier_check_featured_in_chosen_publication_warns_strongly(
    member: Client, publication: Publication
) -> None:
    paper = PaperFactory(arxiv_id="2305.14314")
    issue = IssueFactory(publication=publication, published=True, number=3)
    IssueEntryFactory(issue=issue, recommendation__paper=paper)

    html = _text(member.get(CHECK_URL, {"identifier": "2305.14314"}))

    assert "Already featured." in html
    assert (
        'appeared in <a href="/en/p/pretraining-weekly/3/">Pretraining Weekly, issue 3</a>' in html
    )


def test_identifier_check_ignores_drafts_and_reports_new_and_malformed(
    member: Client, publication: Publication
) -> None:
    paper = PaperFactory(arxiv_id="2305.14314")
    RecommendationFactory(paper=paper, publication=publication, status=RecommendationStatus.DRAFT)

    known = _text(member.get(CHECK_URL, {"identifier": "2305.14314"}))
    new = _text(member.get(CHECK_URL, {"identifier": "2401.99999"}))
    malformed = _text(member.get(CHECK_URL, {"identifier": "<script>x</script>"}))
    empty = _text(member.get(CHECK_URL, {"identifier": ""}))

    assert "We know this paper" in known
    assert "no issue has featured it yet" in known
    assert "Nobody has recommended this paper yet." in new
    assert "is not a paper identifier we recognise" in malformed
    assert "<script>x" not in malformed
    assert empty.strip() == ""


# ================================================================ preview


def test_preview_button_renders_markdown_sanitised_and_saves_nothing(
    member: Client, publication: Publication
) -> None:
    summary = "**Bold** claim.<script>alert('x')</script> [link](javascript:alert(1))"

    response = _recommend(member, summary=summary, action="preview")

    html = _text(response)
    assert response.status_code == 200
    assert "<strong>Bold</strong> claim." in html
    assert "<script>alert" not in html
    assert "javascript:alert" not in html.split('id="summary-preview"')[1]
    # The summary is back in its field, escaped.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert not Recommendation.objects.exists()


def test_preview_endpoint_returns_sanitised_fragment(member: Client) -> None:
    response = member.post(PREVIEW_URL, {"summary": "# Hi\n\n*x* <script>alert(1)</script>"})

    html = _text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "<em>x</em>" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ("entry-12-summary", "<em>entry</em>"),  # an entry's form in the issue builder
        ("password", "<em>plain</em>"),  # any other field: the plain summary, nothing else
        ("entry-12-summary-x", "<em>plain</em>"),
    ],
)
def test_preview_endpoint_reads_the_summary_field_it_is_told_of_and_no_other(
    member: Client, field: str, shown: str
) -> None:
    data = {
        "summary": "*plain*",
        "entry-12-summary": "*entry*",
        "password": "*secret*",
        "entry-12-summary-x": "*x*",
        "preview_field": field,
    }
    html = _text(member.post(PREVIEW_URL, data))
    assert shown in html
    assert "secret" not in html


# ================================================================ metadata status


def test_detail_status_fragment_polls_while_pending_and_stops_when_ok(
    member: Client, contributor: Any, publication: Publication
) -> None:
    paper = PaperFactory(pending=True, arxiv_id="2305.14314")
    rec = RecommendationFactory(paper=paper, publication=publication, submitter=contributor)
    status_url = reverse("recommendations:paper-status", args=[rec.pk])

    page = _text(member.get(_detail(rec)))
    pending = _text(member.get(status_url))

    for html in (page, pending):
        assert f'hx-get="{status_url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
        assert "Waiting to be fetched" in html
    assert "<html" not in pending

    Paper.objects.filter(pk=paper.pk).update(
        metadata_status=MetadataStatus.FETCHING,
    )
    assert 'hx-trigger="every 2s"' in _text(member.get(status_url))

    Paper.objects.filter(pk=paper.pk).update(
        metadata_status=MetadataStatus.OK, title="QLoRA: <Efficient> Finetuning"
    )
    done = _text(member.get(status_url))

    assert "hx-trigger" not in done
    assert "hx-get" not in done
    assert "Fetched" in done
    assert "QLoRA: &lt;Efficient&gt; Finetuning" in done


def test_a_hand_entry_is_said_entered_by_hand_not_fetched(
    member: Client, contributor: Any, publication: Publication
) -> None:
    paper = PaperFactory(metadata_source=MetadataSource.MANUAL, title="Typed in")
    rec = RecommendationFactory(paper=paper, publication=publication, submitter=contributor)

    html = _text(member.get(reverse("recommendations:paper-status", args=[rec.pk])))

    assert "<strong>Entered by hand</strong>" in html
    assert "Fetched" not in html


def test_status_fragment_shows_where_the_affiliations_stand(
    member: Client, contributor: Any, publication: Publication
) -> None:
    paper = PaperFactory(affiliations_error="OpenAlex has no record of this paper yet.")
    rec = RecommendationFactory(paper=paper, publication=publication, submitter=contributor)

    html = _text(member.get(reverse("recommendations:paper-status", args=[rec.pk])))

    assert (
        '<p class="affiliations-state"><span class="status-label">Affiliations:</span> '
        "OpenAlex has no record of this paper yet.</p>" in html
    )


def test_status_fragment_failed_shows_error_and_manual_entry_link(
    member: Client, contributor: Any, publication: Publication
) -> None:
    paper = PaperFactory(
        pending=True,
        metadata_status=MetadataStatus.FAILED,
        metadata_error="arXiv could not be reached.",
    )
    rec = RecommendationFactory(paper=paper, publication=publication, submitter=contributor)

    html = _text(member.get(reverse("recommendations:paper-status", args=[rec.pk])))

    assert "hx-trigger" not in html
    assert "Fetching failed" in html
    assert "arXiv could not be reached." in html
    assert f'href="{reverse("metadata:paper-enter-metadata", args=[paper.pk])}"' in html


# ================================================================ my submissions


def test_my_submissions_lists_own_newest_first_with_review_counts(
    member: Client, contributor: Any, publication: Publication, reviewer: Any
) -> None:
    old = RecommendationFactory(submitter=contributor, publication=publication)
    new = RecommendationFactory(
        submitter=contributor, publication=publication, status=RecommendationStatus.ACCEPTED
    )
    ReviewFactory(recommendation=new, reviewer=reviewer)
    ReviewFactory(recommendation=new, reviewer=UserFactory())
    someone_else = RecommendationFactory(publication=publication)

    html = _text(member.get(LIST_URL))

    assert html.index(new.paper.title) < html.index(old.paper.title)
    assert someone_else.paper.title not in html
    assert "2 reviews" in html
    assert "0 reviews" in html
    assert "Accepted" in html
    assert "Pretraining Weekly" in html
    assert f'href="{_detail(new)}"' in html


def test_my_submissions_filter_by_status(
    member: Client, contributor: Any, publication: Publication
) -> None:
    draft = RecommendationFactory(submitter=contributor, status=RecommendationStatus.DRAFT)
    submitted = RecommendationFactory(submitter=contributor)

    html = _text(member.get(LIST_URL, {"status": "draft"}))
    everything = _text(member.get(LIST_URL, {"status": "nonsense"}))

    assert draft.paper.title in html
    assert submitted.paper.title not in html
    assert '<option value="draft" selected>' in html
    assert draft.paper.title in everything
    assert submitted.paper.title in everything


def test_my_submissions_queries_do_not_grow_with_rows(
    member: Client, contributor: Any, publication: Publication
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member.get(LIST_URL).status_code == 200
        return len(captured)

    RecommendationFactory(submitter=contributor, publication=publication)
    few = queries()
    for _ in range(12):
        rec = RecommendationFactory(submitter=contributor, publication=publication)
        ReviewFactory(recommendation=rec)
    RecommendationFactory(submitter=contributor, news=True)

    assert queries() == few


def test_my_submissions_paginates(member: Client, contributor: Any) -> None:
    RecommendationFactory.create_batch(21, submitter=contributor)

    first = _text(member.get(LIST_URL))
    second = _text(member.get(LIST_URL, {"page": 2}))

    assert first.count('class="card"') == 20
    assert second.count('class="card"') == 1
    assert "Page 1 of 2" in first


# ================================================================ one submission


def test_detail_shows_reviews_history_and_issue(
    member: Client, contributor: Any, publication: Publication, reviewer: Any
) -> None:
    issue = IssueFactory(publication=publication, published=True, number=5)
    entry = IssueEntryFactory(issue=issue, recommendation__submitter=contributor)
    rec = entry.recommendation
    ReviewFactory(
        recommendation=rec,
        reviewer=reviewer,
        verdict=Verdict.REQUEST_CHANGES,
        comment="Say <em>why</em> it matters.",
    )
    Transition.objects.create(
        recommendation=rec,
        actor=contributor,
        action="submit",
        from_status="draft",
        to_status="submitted",
    )

    html = _text(member.get(_detail(rec)))

    assert "Request changes" in html
    assert "Say &lt;em&gt;why&lt;/em&gt; it matters." in html
    assert reviewer.public_name in html
    assert "Submitted (Draft → Submitted)" in html
    assert 'href="/en/p/pretraining-weekly/5/"' in html
    # Published: nothing left to do.
    for name in ("edit", "submit", "withdraw"):
        assert reverse(f"recommendations:{name}", args=[rec.pk]) not in html


def test_detail_of_another_members_submission_is_404(
    member: Client, other_contributor: Any
) -> None:
    rec = RecommendationFactory(submitter=other_contributor, status=RecommendationStatus.DRAFT)

    for name in ("detail", "paper-status", "edit", "withdraw"):
        assert member.get(reverse(f"recommendations:{name}", args=[rec.pk])).status_code == 404
    for name in ("submit", "withdraw", "edit"):
        response = member.post(reverse(f"recommendations:{name}", args=[rec.pk]), {"summary": "x"})
        assert response.status_code == 404
    rec.refresh_from_db()
    assert (rec.status, _transitions(rec)) == (RecommendationStatus.DRAFT, [])


def test_detail_offers_actions_of_the_state(member: Client, contributor: Any) -> None:
    draft = RecommendationFactory(submitter=contributor, status=RecommendationStatus.DRAFT)
    submitted = RecommendationFactory(submitter=contributor)

    draft_html = _text(member.get(_detail(draft)))
    submitted_html = _text(member.get(_detail(submitted)))

    for name in ("edit", "submit", "withdraw"):
        assert reverse(f"recommendations:{name}", args=[draft.pk]) in draft_html
    assert reverse("recommendations:edit", args=[submitted.pk]) in submitted_html
    assert reverse("recommendations:withdraw", args=[submitted.pk]) in submitted_html
    assert reverse("recommendations:submit", args=[submitted.pk]) not in submitted_html


# ================================================================ edit, submit, withdraw


def test_edit_while_submitted_saves_and_records(
    member: Client, contributor: Any, topic: Topic
) -> None:
    rec = RecommendationFactory(
        publication=topic.publication, submitter=contributor, summary="Old."
    )
    url = reverse("recommendations:edit", args=[rec.pk])

    form = _text(member.get(url))
    response = member.post(
        url,
        {"summary": "New *summary*.", "title_zh": "新", "code_url": "", "topic": str(topic.pk)},
    )

    assert "Old." in form
    assert '<label for="id_summary"' in form
    assert 'name="news_title"' not in form
    assert response["Location"] == _detail(rec)
    rec.refresh_from_db()
    assert (rec.summary, rec.title_zh, rec.topic, rec.status) == (
        "New *summary*.",
        "新",
        topic,
        RecommendationStatus.SUBMITTED,
    )
    assert Transition.objects.get(recommendation=rec).note == (
        "Changed: summary, title_zh, topic. Review round 2 begins."
    )


def test_edit_while_submitted_warns_and_tells_of_the_new_review_round(
    member: Client, contributor: Any
) -> None:
    rec = RecommendationFactory(submitter=contributor, summary="Old.")
    url = reverse("recommendations:edit", args=[rec.pk])

    form = _text(member.get(url))
    unchanged = member.post(url, {"summary": "Old."})
    changed = member.post(url, {"summary": "New."})

    assert "any change starts a new review round" in form
    assert _messages(unchanged) == [("success", "Your changes are saved.")]
    assert _messages(changed)[-1] == (
        "success",
        "Your changes are saved. They start review round 2: the reviewers judge the new "
        "text, and earlier approvals no longer count.",
    )
    rec.refresh_from_db()
    assert (rec.summary, rec.review_round) == ("New.", 2)


def test_edit_refused_once_accepted(member: Client, contributor: Any) -> None:
    rec = RecommendationFactory(
        submitter=contributor, status=RecommendationStatus.ACCEPTED, summary="Kept."
    )
    url = reverse("recommendations:edit", args=[rec.pk])

    shown = member.get(url)
    forged = member.post(url, {"summary": "Changed."})

    assert shown["Location"] == _detail(rec)
    assert _messages(shown) == [("error", "This submission can no longer be edited.")]
    assert forged.status_code == 409
    assert "A recommendation that is accepted cannot be edited." in _text(forged)
    rec.refresh_from_db()
    assert (rec.summary, _transitions(rec)) == ("Kept.", [])


def test_edit_invalid_link_is_refused_with_message(member: Client, contributor: Any) -> None:
    rec = RecommendationFactory(submitter=contributor, code_url="")

    response = member.post(
        reverse("recommendations:edit", args=[rec.pk]), {"summary": "Fine.", "code_url": "ftp://x"}
    )

    assert response.status_code == 400
    assert "Enter a full web address starting with http:// or https://." in _text(response)
    rec.refresh_from_db()
    assert rec.code_url == ""


@pytest.mark.parametrize(
    "status", [RecommendationStatus.DRAFT, RecommendationStatus.CHANGES_REQUESTED]
)
def test_submit_from_draft_or_changes_requested(
    member: Client, contributor: Any, status: str
) -> None:
    rec = RecommendationFactory(submitter=contributor, status=status, submitted_at=None)

    response = member.post(reverse("recommendations:submit", args=[rec.pk]))

    assert response["Location"] == _detail(rec)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.SUBMITTED
    assert rec.submitted_at is not None
    assert _transitions(rec) == [("submit", status, "submitted")]


def test_submit_forged_when_already_submitted_is_refused(member: Client, contributor: Any) -> None:
    rec = RecommendationFactory(submitter=contributor)

    response = member.post(reverse("recommendations:submit", args=[rec.pk]))

    assert response.status_code == 409
    assert "A recommendation that is submitted cannot be submitted." in _text(response)
    rec.refresh_from_db()
    assert (rec.status, _transitions(rec)) == (RecommendationStatus.SUBMITTED, [])


def test_withdraw_asks_for_confirmation_then_withdraws(member: Client, contributor: Any) -> None:
    rec = RecommendationFactory(submitter=contributor)
    url = reverse("recommendations:withdraw", args=[rec.pk])

    confirm = member.get(url)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.SUBMITTED  # a GET changes nothing
    assert "Withdraw this submission?" in _text(confirm)
    assert f'action="{url}"' in _text(confirm)

    response = member.post(url, {"note": "Found a better paper."})

    assert response["Location"] == _detail(rec)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.WITHDRAWN
    transition = Transition.objects.get(recommendation=rec)
    assert (transition.action, transition.note) == ("withdraw", "Found a better paper.")


@pytest.mark.parametrize(
    "status",
    [RecommendationStatus.ACCEPTED, RecommendationStatus.PUBLISHED, RecommendationStatus.WITHDRAWN],
)
def test_withdraw_refused_once_decided(member: Client, contributor: Any, status: str) -> None:
    rec = RecommendationFactory(submitter=contributor, status=status)
    url = reverse("recommendations:withdraw", args=[rec.pk])

    shown = member.get(url)
    forged = member.post(url)

    assert shown.status_code == 302
    assert forged.status_code == 409
    label = RecommendationStatus(status).label.lower()
    assert f"A recommendation that is {label} cannot be withdrawn." in _text(forged)
    rec.refresh_from_db()
    assert (rec.status, _transitions(rec)) == (status, [])


# ================================================================ news items


def test_news_create_stores_news_item(
    member: Client, contributor: Any, publication: Publication
) -> None:
    response = member.post(
        NEWS_URL,
        {
            "publication": "pretraining-weekly",
            "news_title": "A new open benchmark",
            "news_url": "https://example.org/bench",
            "summary": "It measures things.",
            "action": "submit",
        },
    )

    rec = Recommendation.objects.get()
    assert response["Location"] == _detail(rec)
    assert (rec.kind, rec.news_title, rec.news_url, rec.paper, rec.status) == (
        RecommendationKind.NEWS,
        "A new open benchmark",
        "https://example.org/bench",
        None,
        RecommendationStatus.SUBMITTED,
    )
    page = _text(member.get(_detail(rec)))
    assert "A new open benchmark" in page
    assert 'id="paper-status"' not in page


def test_news_create_without_title_is_refused(member: Client, publication: Publication) -> None:
    response = member.post(
        NEWS_URL,
        {
            "publication": "pretraining-weekly",
            "news_url": "https://example.org/x",
            "summary": "Text.",
            "action": "submit",
        },
    )

    assert response.status_code == 200
    assert "Give the news item a title." in _text(response)
    assert not Recommendation.objects.exists()


def test_news_create_without_publication_uses_the_only_one_or_asks(
    member: Client, publication: Publication
) -> None:
    data = {"news_title": "T", "news_url": "https://e.org/", "summary": "S", "action": "submit"}

    assert member.post(NEWS_URL, data).status_code == 302
    assert Recommendation.objects.get().publication == publication

    PublicationFactory(slug="rl-weekly", name="RL Weekly")
    response = member.post(NEWS_URL, {**data, "news_url": "https://e.org/2"})

    assert "Choose a publication." in _text(response)
    assert Recommendation.objects.count() == 1


def test_news_form_renders(member: Client, publication: Publication) -> None:
    PublicationFactory(slug="rl-weekly", name="RL Weekly")

    html = _text(member.get(NEWS_URL))

    assert "<title>Share a news item</title>" in html
    for name in ("publication", "news_title", "news_url", "summary"):
        assert f'<label for="id_{name}"' in html


def test_null_characters_in_publication_are_refused_without_a_query_error(
    member: Client, publication: Publication, other_publication: Publication
) -> None:
    response = _recommend(member, publication="rl-weekly\x00")
    check = member.get(CHECK_URL, {"identifier": "2305.14314", "publication": "x\x00"})

    assert "Select a valid choice." in _text(response)
    assert not Recommendation.objects.exists()
    assert check.status_code == 200


def test_edit_form_offers_the_topics_of_the_recommendation_s_publication_only(
    publication: Any, other_publication: Any, topic: Topic
) -> None:
    elsewhere = TopicFactory(publication=other_publication, slug="elsewhere")
    rec = RecommendationFactory(publication=publication)

    assert list(RecommendationEditForm(recommendation=rec).fields["topic"].queryset) == [topic]
    bound = RecommendationEditForm(
        {"summary": "S.", "topic": str(elsewhere.pk)}, recommendation=rec
    )
    assert not bound.is_valid()
    assert list(bound.errors) == ["topic"]


def test_paper_form_names_each_topic_s_publication_when_there_are_several(
    publication: Any, other_publication: Any, topic: Topic
) -> None:
    TopicFactory(publication=other_publication, slug="agents", name_en="Agents")

    labels = [label for _value, label in PaperRecommendationForm().fields["topic"].choices][1:]

    assert sorted(labels) == sorted(
        [f"{other_publication.name}: Agents", f"{publication.name}: Language models"]
    )


def test_paper_form_of_the_one_publication_offers_its_topics(
    publication: Any, topic: Topic
) -> None:
    field = PaperRecommendationForm().fields["topic"]
    assert [label for _value, label in field.choices][1:] == ["Language models"]
