"""The metadata tools of the paper page: an editor's "fetch again" (``metadata:paper-refetch``) and
filling in the metadata by hand (``metadata:paper-enter-metadata``), through the views and through
the services behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from papers import services as paper_services
from papers.enums import MetadataSource, MetadataStatus
from papers.models import MetadataEntry, Paper, PaperMerge, PossibleDuplicate
from publications.models import Publication
from publications.permissions import REFUSALS
from recommendations import services
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.servers.arxiv import ArxivStandIn, needs_recordings

pytestmark = pytest.mark.django_db

REFETCH_REFUSED = (
    "Only editors of a publication where this paper is recommended may have its metadata "
    "fetched again."
)
ENTER_REFUSED = (
    "Only a member whose recommendation of this paper stands, or an editor of a publication "
    "where it is recommended, may fill in its missing metadata by hand; once filled in, only "
    "such an editor may correct it. A paper that another publication has in an issue is left "
    "to that publication's editors."
)
KEPT_REFUSED = (
    "An editor kept this paper's hand-entered metadata over the source's, so fetching it again "
    "would change nothing. To have it fetched, save the hand entry again without keeping it."
)
FETCHED_REFUSED = (
    "This paper's metadata was fetched from arXiv; it is not replaced by hand. An editor may "
    "have it fetched again."
)
#: What the eager fetch leaves behind: the autouse ``_offline`` fixture points arXiv at a closed
#: port, and an in-process task is its own final attempt.
UNREACHABLE = "arXiv could not be reached. Gave up after retrying."
FAILED_ERROR = "arXiv answered something unusable: no feed. Gave up after retrying."


def _state(paper: Paper) -> dict[str, Any]:
    """The fetch workflow's columns and the metadata a manual entry writes, as stored."""
    row = Paper.objects.get(pk=paper.pk)
    return {
        "status": row.metadata_status,
        "source": row.metadata_source,
        "error": row.metadata_message,
        "attempts": row.metadata_attempts,
        "title": row.title,
        "title_zh": row.title_zh,
        "abstract": row.abstract,
        "year": row.year,
        "authors": [a.author.name for a in row.authorships.select_related("author")],
        "institutions": [
            i.institution.name for i in row.paper_institutions.select_related("institution")
        ],
    }


def _messages(response: HttpResponse) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def _failed(arxiv_id: str = "2401.00042", **fields: Any) -> Paper:
    """A paper whose fetch gave up, as the worker leaves it."""
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "arxiv_version": None,
        "published_on": None,
        "metadata_status": MetadataStatus.FAILED,
        "metadata_attempts": 3,
        "metadata_error": FAILED_ERROR,
        **fields,
    }
    return PaperFactory(pending=True, **values)


@pytest.fixture
def failed_paper(publication: Publication, contributor: Any) -> Paper:
    """A failed paper that ``contributor`` recommended to ``publication``."""
    paper = _failed()
    RecommendationFactory(publication=publication, paper=paper, submitter=contributor)
    return paper


def _refetch_url(paper: Paper) -> str:
    return reverse("metadata:paper-refetch", args=[paper.pk])


def _enter_url(paper: Paper) -> str:
    return reverse("metadata:paper-enter-metadata", args=[paper.pk])


def _paper_url(paper: Paper) -> str:
    return reverse("papers:paper-detail", args=[paper.pk])


def _login_url(next_url: str) -> str:
    return f"{reverse('contributors:login')}?next={next_url}"


# ================================================================ fetch again: the view


def test_paper_refetch_by_editor_resets_a_failed_paper_then_the_eager_fetch_fails(
    client: Client,
    editor: Any,
    failed_paper: Paper,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_refetch_url(failed_paper))

    assert response.status_code == 302
    assert response.url == _paper_url(failed_paper)
    assert _messages(response) == [
        ("success", "The paper's metadata will be fetched again shortly.")
    ]
    # Reset at once; the fetch is enqueued for after the commit.
    assert _state(failed_paper) == {
        "status": MetadataStatus.PENDING,
        "source": "",
        "error": "",
        "attempts": 0,
        "title": "",
        "title_zh": "",
        "abstract": "",
        "year": None,
        "authors": [],
        "institutions": [],
    }
    assert len(callbacks) == 1

    callbacks[0]()  # the eager task: arXiv's port is closed, and it is the final attempt

    state = _state(failed_paper)
    assert (state["status"], state["error"], state["attempts"]) == (
        MetadataStatus.FAILED,
        UNREACHABLE,
        1,
    )


def test_paper_refetch_by_editor_not_found_paper_commits_and_fetches(
    client: Client,
    editor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    paper = _failed(
        metadata_status=MetadataStatus.NOT_FOUND,
        metadata_error="arXiv has no paper with the id 2401.00042.",
        metadata_attempts=1,
    )
    RecommendationFactory(publication=publication, paper=paper)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_refetch_url(paper))

    assert (response.status_code, response.url) == (302, _paper_url(paper))
    assert len(callbacks) == 1
    state = _state(paper)
    assert (state["status"], state["error"], state["attempts"]) == (
        MetadataStatus.FAILED,
        UNREACHABLE,
        1,
    )


def test_paper_refetch_by_editor_of_another_publication_is_refused(
    client: Client,
    other_publication: Publication,
    failed_paper: Paper,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """An editor's rights end at their publications: the paper is recommended elsewhere only."""
    other_editor = UserFactory(username="other-editor")
    other_editor.memberships.create(publication=other_publication, role="editor")
    before = _state(failed_paper)
    client.force_login(other_editor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_refetch_url(failed_paper))

    assert _messages(response) == [("error", REFETCH_REFUSED)]
    assert (callbacks, _state(failed_paper)) == ([], before)


def test_paper_refetch_ok_paper_is_refreshed_without_reset(
    client: Client,
    editor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    paper = PaperFactory(title="Fetched", metadata_attempts=1)
    RecommendationFactory(publication=publication, paper=paper)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_refetch_url(paper))

    assert _messages(response) == [
        ("success", "The paper's metadata will be fetched again shortly.")
    ]
    state = _state(paper)
    assert (state["status"], state["error"], state["attempts"], state["title"]) == (
        MetadataStatus.OK,
        "",
        1,
        "Fetched",
    )
    assert len(callbacks) == 1


def test_paper_refetch_ok_paper_keeps_ok_when_arxiv_is_unreachable(
    client: Client,
    editor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    paper = PaperFactory(title="Fetched", authors=["Ada Lovelace"])
    RecommendationFactory(publication=publication, paper=paper)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_refetch_url(paper))

    state = _state(paper)
    assert (state["status"], state["title"], state["authors"]) == (
        MetadataStatus.OK,
        "Fetched",
        ["Ada Lovelace"],
    )
    assert state["error"].startswith("Refreshing failed: arXiv could not be reached")


@pytest.mark.parametrize("role", ["contributor", "reviewer"])
def test_paper_refetch_by_non_editor_is_refused_with_a_message(
    client: Client,
    request: pytest.FixtureRequest,
    failed_paper: Paper,
    role: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    before = _state(failed_paper)
    client.force_login(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_refetch_url(failed_paper))

    assert (response.status_code, response.url) == (302, _paper_url(failed_paper))
    assert _messages(response) == [("error", REFUSALS["recommendations.refetch_paper_metadata"])]
    assert REFUSALS["recommendations.refetch_paper_metadata"] == REFETCH_REFUSED
    assert callbacks == []
    assert _state(failed_paper) == before
    assert before["status"] == MetadataStatus.FAILED


def test_paper_refetch_anonymous_is_sent_to_login(
    client: Client, failed_paper: Paper, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = _state(failed_paper)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_refetch_url(failed_paper))

    assert response.status_code == 302
    assert response.url == _login_url(_refetch_url(failed_paper))
    assert (callbacks, _state(failed_paper)) == ([], before)


def test_paper_refetch_get_is_not_allowed(client: Client, editor: Any, failed_paper: Paper) -> None:
    before = _state(failed_paper)
    client.force_login(editor)
    response = client.get(_refetch_url(failed_paper))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert _state(failed_paper) == before


def test_paper_refetch_unknown_paper_is_404(client: Client, editor: Any) -> None:
    client.force_login(editor)
    assert client.post(reverse("metadata:paper-refetch", args=[987654])).status_code == 404


# ================================================================ fetch again: the service


@pytest.mark.parametrize("who", ["contributor", "reviewer", "anonymous", "inactive_editor"])
def test_refetch_paper_metadata_refused(
    request: pytest.FixtureRequest,
    publication: Publication,
    failed_paper: Paper,
    who: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    if who == "anonymous":
        actor: Any = AnonymousUser()
    elif who == "inactive_editor":
        actor = request.getfixturevalue("editor")
        actor.is_active = False
        actor.save(update_fields=["is_active"])
    else:
        actor = request.getfixturevalue(who)
    before = _state(failed_paper)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotAllowed) as refused,
    ):
        services.refetch_paper_metadata(failed_paper, by=actor)

    assert (refused.value.message, refused.value.capability) == (
        REFETCH_REFUSED,
        "recommendations.refetch_paper_metadata",
    )
    assert (callbacks, _state(failed_paper)) == ([], before)


@pytest.mark.parametrize("who", ["editor", "admin_user"])
def test_refetch_paper_metadata_resets_and_enqueues_once(
    request: pytest.FixtureRequest,
    failed_paper: Paper,
    who: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        returned = services.refetch_paper_metadata(failed_paper, by=request.getfixturevalue(who))

    assert returned is failed_paper
    # The object in hand is updated as well as the row.
    assert (
        failed_paper.metadata_status,
        failed_paper.metadata_message,
        failed_paper.metadata_attempts,
    ) == (MetadataStatus.PENDING, "", 0)
    state = _state(failed_paper)
    assert (state["status"], state["error"], state["attempts"]) == (MetadataStatus.PENDING, "", 0)
    assert len(callbacks) == 1


# ================================================================ by hand: the view


VALID_POST = {
    "title": "  Dense Passage Retrieval for Open-Domain Question Answering ",
    "title_zh": "开放域问答的稠密段落检索",
    "authors": "Vladimir Karpukhin\r\n\r\n  Barlas Oguz  \r\nSewon Min\r\n",
    "institutions": "Facebook AI\r\nUniversity of Washington\r\nPrinceton University",
    "year": "2020",
    "abstract": "Open-domain question answering relies on efficient passage retrieval.",
}
SAVED = {
    "status": MetadataStatus.OK,
    "source": MetadataSource.MANUAL,
    "error": "",
    "attempts": 3,
    "title": "Dense Passage Retrieval for Open-Domain Question Answering",
    "title_zh": "开放域问答的稠密段落检索",
    "abstract": "Open-domain question answering relies on efficient passage retrieval.",
    "year": 2020,
    "authors": ["Vladimir Karpukhin", "Barlas Oguz", "Sewon Min"],
    # Typed names go through the institution glossary: Facebook AI is one of Meta's names.
    "institutions": ["Meta", "University of Washington", "Princeton University"],
}


def test_paper_enter_metadata_get_shows_the_form_prefilled(
    client: Client, contributor: Any, publication: Publication
) -> None:
    paper = _failed(
        title="A partial title",
        year=2019,
        abstract="Half an abstract.",
        authors=["Grace Hopper", "Alan Turing"],
        institutions=["Harvard", "Cambridge"],
    )
    RecommendationFactory(publication=publication, paper=paper, submitter=contributor)
    client.force_login(contributor)
    response = client.get(_enter_url(paper))

    assert response.status_code == 200
    assert response.templates[0].name == "recommendations/paper_metadata_form.html"
    assert response.context["form"].initial == {
        "title": "A partial title",
        "title_zh": "",
        "authors": "Grace Hopper\nAlan Turing",
        "institutions": "Harvard\nCambridge",
        "year": 2019,
        "abstract": "Half an abstract.",
    }
    page = response.content.decode()
    assert 'name="title" value="A partial title"' in page
    assert ">\nGrace Hopper\nAlan Turing</textarea>" in page
    assert 'name="year" value="2019"' in page
    assert f'<p class="notice">{FAILED_ERROR}</p>' in page


def test_paper_enter_metadata_post_by_recommender_saves_and_redirects(
    client: Client, contributor: Any, failed_paper: Paper
) -> None:
    client.force_login(contributor)
    response = client.post(_enter_url(failed_paper), VALID_POST)

    assert (response.status_code, response.url) == (302, _paper_url(failed_paper))
    assert _messages(response) == [("success", "Thank you: the paper's metadata is saved.")]
    assert _state(failed_paper) == SAVED
    failed_paper.refresh_from_db()
    assert failed_paper.metadata_fetched_at is not None


def test_paper_enter_metadata_post_again_after_it_became_ok_is_refused(
    client: Client, contributor: Any, failed_paper: Paper
) -> None:
    client.force_login(contributor)
    assert client.post(_enter_url(failed_paper), VALID_POST).status_code == 302

    response = client.post(_enter_url(failed_paper), {**VALID_POST, "title": "Overwritten"})

    assert (response.status_code, response.url) == (302, _paper_url(failed_paper))
    assert _messages(response)[-1] == ("error", ENTER_REFUSED)
    assert _state(failed_paper) == SAVED
    assert MetadataEntry.objects.filter(paper=failed_paper).count() == 1
    assert client.get(_enter_url(failed_paper)).url == _paper_url(failed_paper)


def test_paper_enter_metadata_by_editor_over_fetched_metadata_is_refused(
    client: Client, editor: Any, publication: Publication
) -> None:
    paper = PaperFactory(
        title="Old title", year=2017, authors=["Old Author"], institutions=["Old Lab"]
    )
    RecommendationFactory(publication=publication, paper=paper)
    before = _state(paper)
    client.force_login(editor)
    response = client.post(_enter_url(paper), VALID_POST)

    assert (response.status_code, response.url) == (302, _paper_url(paper))
    assert _messages(response) == [("error", FETCHED_REFUSED)]
    assert _state(paper) == before
    assert before["source"] == MetadataSource.ARXIV


def test_paper_enter_metadata_by_editor_corrects_a_hand_entry(
    client: Client, editor: Any, publication: Publication
) -> None:
    paper = PaperFactory(
        title="Old title",
        year=2017,
        authors=["Old Author"],
        institutions=["Old Lab"],
        metadata_source=MetadataSource.MANUAL,
    )
    RecommendationFactory(publication=publication, paper=paper)
    client.force_login(editor)
    response = client.post(_enter_url(paper), VALID_POST)

    assert (response.status_code, response.url) == (302, _paper_url(paper))
    assert _state(paper) == SAVED | {"attempts": 0}


def test_paper_enter_metadata_by_editor_keeps_the_fields_the_form_does_not_show(
    client: Client, editor: Any, publication: Publication
) -> None:
    paper = PaperFactory(
        metadata_source=MetadataSource.MANUAL,
        title="Old title",
        primary_category="cs.CL",
        categories=["cs.CL", "cs.IR"],
        journal_ref="EMNLP 2020",
        comment="12 pages",
        pdf_url="https://arxiv.org/pdf/2004.04906v3",
        revised_on=dt.date(2020, 9, 30),
    )
    RecommendationFactory(publication=publication, paper=paper)
    client.force_login(editor)
    client.post(_enter_url(paper), VALID_POST)

    paper.refresh_from_db()
    assert (
        paper.primary_category,
        paper.categories,
        paper.journal_ref,
        paper.comment,
        paper.pdf_url,
        paper.revised_on,
    ) == (
        "cs.CL",
        ["cs.CL", "cs.IR"],
        "EMNLP 2020",
        "12 pages",
        "https://arxiv.org/pdf/2004.04906v3",
        dt.date(2020, 9, 30),
    )


#: States of ``failed_paper`` by name: the columns set, and a recommendation's status.
STATES: dict[str, dict[str, Any]] = {
    "failed": {"metadata_status": MetadataStatus.FAILED},
    "not_found": {"metadata_status": MetadataStatus.NOT_FOUND},
    "pending": {"metadata_status": MetadataStatus.PENDING},
    "fetching": {"metadata_status": MetadataStatus.FETCHING},
    "fetched": {"metadata_status": MetadataStatus.OK, "metadata_source": MetadataSource.ARXIV},
    "manual": {"metadata_status": MetadataStatus.OK, "metadata_source": MetadataSource.MANUAL},
}
STILL_FETCHING = (
    "This paper's metadata is still being fetched from arXiv. It may be filled in by hand only "
    "if that fails."
)


@pytest.mark.parametrize(
    ("who", "state", "refusal"),
    [
        ("contributor", "failed", None),
        ("contributor", "not_found", None),
        ("contributor", "pending", STILL_FETCHING),
        ("contributor", "fetching", STILL_FETCHING),
        ("contributor", "fetched", FETCHED_REFUSED),
        ("contributor", "manual", ENTER_REFUSED),
        ("other_contributor", "failed", ENTER_REFUSED),
        ("other_contributor", "fetched", FETCHED_REFUSED),
        ("reviewer", "failed", ENTER_REFUSED),
        ("editor", "failed", None),
        ("editor", "pending", STILL_FETCHING),
        ("editor", "fetched", FETCHED_REFUSED),
        ("editor", "manual", None),
        ("other_editor", "failed", ENTER_REFUSED),
        ("other_editor", "manual", ENTER_REFUSED),
        ("admin_user", "manual", None),
        ("admin_user", "fetched", FETCHED_REFUSED),
    ],
)
def test_paper_enter_metadata_post_permission_matrix(
    client: Client,
    request: pytest.FixtureRequest,
    other_publication: Publication,
    failed_paper: Paper,
    who: str,
    state: str,
    refusal: str | None,
) -> None:
    Paper.objects.filter(pk=failed_paper.pk).update(**STATES[state])
    before = _state(failed_paper)
    if who == "other_editor":
        actor = UserFactory(username="other-editor")
        actor.memberships.create(publication=other_publication, role="editor")
    else:
        actor = request.getfixturevalue(who)
    client.force_login(actor)
    response = client.post(_enter_url(failed_paper), VALID_POST)

    assert (response.status_code, response.url) == (302, _paper_url(failed_paper))
    if refusal is None:
        assert _messages(response) == [("success", "Thank you: the paper's metadata is saved.")]
        assert _state(failed_paper) == SAVED
        entry = MetadataEntry.objects.get(paper=failed_paper)
        assert (entry.entered_by, entry.values["title"]) == (actor, SAVED["title"])
    else:
        assert _messages(response) == [("error", refusal)]
        assert _state(failed_paper) == before
        assert not MetadataEntry.objects.filter(paper=failed_paper).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_paper_enter_metadata_anonymous_is_sent_to_login(
    client: Client, failed_paper: Paper, method: str
) -> None:
    before = _state(failed_paper)
    response = getattr(client, method)(_enter_url(failed_paper))
    assert response.status_code == 302
    assert response.url == _login_url(_enter_url(failed_paper))
    assert _state(failed_paper) == before


def test_paper_enter_metadata_unknown_paper_is_404(client: Client, editor: Any) -> None:
    client.force_login(editor)
    url = reverse("metadata:paper-enter-metadata", args=[987654])
    assert client.get(url).status_code == 404
    assert client.post(url, VALID_POST).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"year": "1800"}, "year", "Ensure this value is greater than or equal to 1900."),
        ({"year": "2101"}, "year", "Ensure this value is less than or equal to 2100."),
        ({"year": "soon"}, "year", "Enter a whole number."),
        ({"title": "Dense\x00Passage"}, "title", "This text contains control characters."),
        ({"title": "Dense\x1bPassage"}, "title", "This text contains control characters."),
        ({"authors": "Ada\x07Lovelace"}, "authors", "This text contains control characters."),
        ({"abstract": "Bell\x7f"}, "abstract", "This text contains control characters."),
        (
            {"title": "T" * 1001},
            "title",
            "Ensure this value has at most 1000 characters (it has 1001).",
        ),
        # Accepted by the form, refused by the service, and shown on the field all the same.
        ({"year": "2099"}, "year", "Give the year the paper appeared."),
        ({"authors": "A" * 301}, "authors", "At most 300 characters, please."),
        (
            {"institutions": "\n".join(f"Lab {n}" for n in range(501))},
            "institutions",
            "At most 500 names, please.",
        ),
    ],
)
def test_paper_enter_metadata_invalid_input_rerenders_and_changes_nothing(
    client: Client,
    contributor: Any,
    failed_paper: Paper,
    changes: dict[str, str],
    field: str,
    error: str,
) -> None:
    before = _state(failed_paper)
    client.force_login(contributor)
    response = client.post(_enter_url(failed_paper), {**VALID_POST, **changes})

    assert response.status_code == 200
    assert response.templates[0].name == "recommendations/paper_metadata_form.html"
    assert response.context["form"].errors == {field: [error]}
    assert _messages(response) == []
    assert _state(failed_paper) == before


# ================================================================ by hand: the service


def _enter(paper: Paper, by: Any, **overrides: Any) -> Paper:
    values: dict[str, Any] = {
        "title": "Dense Passage Retrieval for Open-Domain Question Answering",
        "authors": ["Vladimir Karpukhin", "Barlas Oguz"],
        "institutions": ["Facebook AI"],
        "abstract": "Retrieval.",
        "year": 2020,
        "title_zh": "",
        **overrides,
    }
    return services.enter_paper_metadata(paper, by=by, **values)


def test_enter_paper_metadata_saves_manual_metadata_in_order(
    contributor: Any, failed_paper: Paper
) -> None:
    returned = _enter(
        failed_paper,
        contributor,
        title="  Title with spaces  ",
        authors=["  Zoe Zimmer ", "", "Adam Abel", "Zoe Zimmer"],
        institutions=[" Lab B", "Lab A", "   "],
        abstract="  Trimmed.  ",
        year=None,
    )
    assert returned.pk == failed_paper.pk
    assert _state(failed_paper) == {
        "status": MetadataStatus.OK,
        "source": MetadataSource.MANUAL,
        "error": "",
        "attempts": 3,
        "title": "Title with spaces",
        "title_zh": "",
        "abstract": "Trimmed.",
        "year": None,
        "authors": ["Zoe Zimmer", "Adam Abel"],  # a repeated name counts once
        "institutions": ["Lab B", "Lab A"],
    }


def test_enter_paper_metadata_next_year_is_accepted(contributor: Any, failed_paper: Paper) -> None:
    next_year = timezone.now().year + 1
    _enter(failed_paper, contributor, year=next_year)
    assert _state(failed_paper)["year"] == next_year


@pytest.mark.parametrize(
    "who", ["other_contributor", "reviewer", "anonymous", "inactive_recommender"]
)
def test_enter_paper_metadata_refused(
    request: pytest.FixtureRequest, contributor: Any, failed_paper: Paper, who: str
) -> None:
    if who == "anonymous":
        actor: Any = AnonymousUser()
    elif who == "inactive_recommender":
        actor = contributor
        actor.is_active = False
        actor.save(update_fields=["is_active"])
    else:
        actor = request.getfixturevalue(who)
    before = _state(failed_paper)

    with pytest.raises(NotAllowed) as refused:
        _enter(failed_paper, actor)

    assert (refused.value.message, refused.value.capability) == (
        ENTER_REFUSED,
        "recommendations.enter_paper_metadata",
    )
    assert REFUSALS["recommendations.enter_paper_metadata"] == ENTER_REFUSED
    assert _state(failed_paper) == before


def test_enter_paper_metadata_refused_to_the_recommender_once_ok(
    contributor: Any, failed_paper: Paper
) -> None:
    _enter(failed_paper, contributor)
    saved = _state(failed_paper)
    with pytest.raises(NotAllowed) as refused:
        _enter(failed_paper, contributor, title="Again")
    assert refused.value.message == ENTER_REFUSED
    assert _state(failed_paper) == saved


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Give the paper's title."),
        ({"title": " \n\t "}, "title", "Give the paper's title."),
        ({"title": "T" * 1001}, "title", "At most 1000 characters, please."),
        ({"title": "Bad\x1bTitle"}, "title", "This text contains control characters."),
        ({"authors": ["Ada", "B" * 301]}, "authors", "At most 300 characters, please."),
        ({"authors": ["Ada\x00"]}, "authors", "This text contains control characters."),
        (
            {"authors": [f"Author {n}" for n in range(501)]},
            "authors",
            "At most 500 names, please.",
        ),
        (
            {"institutions": [f"Lab {n}" for n in range(501)]},
            "institutions",
            "At most 500 names, please.",
        ),
        ({"abstract": "A" * 20_001}, "abstract", "At most 20000 characters, please."),
        ({"title_zh": "中" * 501}, "title_zh", "At most 500 characters, please."),
        ({"title_zh": "标题\x08"}, "title_zh", "This text contains control characters."),
        ({"year": 1899}, "year", "Give the year the paper appeared."),
        ({"year": 1800}, "year", "Give the year the paper appeared."),
    ],
)
def test_enter_paper_metadata_invalid_input(
    contributor: Any,
    failed_paper: Paper,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = _state(failed_paper)
    with pytest.raises(InvalidInput) as refused:
        _enter(failed_paper, contributor, **overrides)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert _state(failed_paper) == before


def test_enter_paper_metadata_two_years_ahead_is_invalid(
    contributor: Any, failed_paper: Paper
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _enter(failed_paper, contributor, year=timezone.now().year + 2)
    assert (refused.value.field, refused.value.message) == (
        "year",
        "Give the year the paper appeared.",
    )
    assert _state(failed_paper)["status"] == MetadataStatus.FAILED


# ================================================================ the attacks of the security test


@pytest.fixture
def stand_in(settings: Any) -> Any:
    """arXiv answering from the recorded responses."""
    with ArxivStandIn().running() as server:
        settings.ARXIV_API_URL = server.url
        yield server


def _recommended_failed(publication: Publication, submitter: Any, arxiv_id: str) -> Paper:
    """A recorded arXiv paper whose fetch gave up (arXiv was down), recommended by ``submitter``."""
    paper = _failed(arxiv_id)
    RecommendationFactory(publication=publication, paper=paper, submitter=submitter)
    return paper


def test_enter_paper_metadata_while_the_paper_is_pending_is_refused_and_stores_nothing(
    contributor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The takeover: a member recommends a new arXiv id as a draft and enters fake metadata
    before the queued fetch runs; then withdraws the draft."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        draft = services.create_recommendation(
            by=contributor,
            publication=publication,
            identifier="2401.00042",
            summary="A draft.",
            draft=True,
        )
    paper = draft.paper
    before = _state(paper)
    assert before["status"] == MetadataStatus.PENDING

    with pytest.raises(InvalidTransition) as refused:
        _enter(paper, contributor, title="Fake Title", authors=["Mallory"])

    assert refused.value.message == STILL_FETCHING
    assert _state(paper) == before
    assert not MetadataEntry.objects.exists()

    # The queued fetch finds arXiv down (a closed port) and gives up; then the draft goes.
    for callback in queued:
        callback()
    paper = Paper.objects.get(pk=paper.pk)
    assert paper.metadata_status == MetadataStatus.FAILED
    services.withdraw_recommendation(draft, by=contributor)
    failed = _state(paper)

    with pytest.raises(NotAllowed) as refused:
        _enter(paper, contributor, title="Fake Title", authors=["Mallory"])

    assert refused.value.message == ENTER_REFUSED
    assert _state(paper) == failed
    assert not MetadataEntry.objects.exists()


@needs_recordings
def test_enter_paper_metadata_then_a_fetch_replaces_it_and_the_entry_stays_on_record(
    contributor: Any, publication: Publication, stand_in: Any
) -> None:
    paper = _recommended_failed(publication, contributor, "1605.08386")
    _enter(
        paper,
        contributor,
        title="Fake Title",
        title_zh="假标题",
        authors=["Mallory"],
        institutions=["Nowhere Lab"],
        abstract="Not the abstract.",
        year=2001,
    )
    assert _state(paper)["title"] == "Fake Title"

    outcome = paper_services.fetch_metadata([paper.pk])

    assert outcome.fetched == [paper.pk]
    state = _state(paper)
    assert (state["status"], state["source"], state["title"]) == (
        MetadataStatus.OK,
        MetadataSource.ARXIV,
        "Heat-bath random walks with Markov bases",
    )
    assert state["authors"] == ["Caprice Stanley", "Tobias Windisch"]
    assert (state["title_zh"], state["year"], state["institutions"]) == ("", 2016, [])
    entry = MetadataEntry.objects.get(paper=paper)
    assert (entry.entered_by, entry.kept, entry.replaced_by) == (
        contributor,
        False,
        MetadataSource.ARXIV,
    )
    assert entry.replaced_at is not None
    assert entry.values == {
        "title": "Fake Title",
        "title_zh": "假标题",
        "abstract": "Not the abstract.",
        "year": 2001,
        "authors": ["Mallory"],
        "institutions": ["Nowhere Lab"],
        "status": MetadataStatus.OK,
        "source": MetadataSource.MANUAL,
    }
    assert entry.previous["status"] == MetadataStatus.FAILED


@needs_recordings
def test_enter_paper_metadata_kept_by_an_editor_survives_fetches(
    client: Client, editor: Any, contributor: Any, publication: Publication, stand_in: Any
) -> None:
    paper = _recommended_failed(publication, contributor, "1605.08386")
    client.force_login(editor)
    page = client.get(_enter_url(paper)).content.decode()
    assert 'name="keep"' in page
    response = client.post(_enter_url(paper), {**VALID_POST, "keep": "on"})
    assert (response.status_code, response.url) == (302, _paper_url(paper))
    kept = _state(paper)

    paper_services.fetch_metadata([paper.pk])
    paper_services.fetch_metadata([paper.pk], refresh=True)
    with pytest.raises(InvalidTransition) as refused:
        services.refetch_paper_metadata(Paper.objects.get(pk=paper.pk), by=editor)

    assert refused.value.message == KEPT_REFUSED
    assert stand_in.requests == []
    assert _state(paper) == kept == SAVED
    paper.refresh_from_db()
    assert paper.metadata_kept is True
    entry = MetadataEntry.objects.get(paper=paper)
    assert (entry.entered_by, entry.kept, entry.replaced_at) == (editor, True, None)


def test_enter_paper_metadata_keep_is_not_offered_to_nor_taken_from_a_member(
    client: Client, contributor: Any, failed_paper: Paper
) -> None:
    before = _state(failed_paper)
    with pytest.raises(NotAllowed) as refused:
        _enter(failed_paper, contributor, keep=True)
    assert refused.value.message == REFUSALS["recommendations.keep_paper_metadata"]
    assert _state(failed_paper) == before

    client.force_login(contributor)
    assert 'name="keep"' not in client.get(_enter_url(failed_paper)).content.decode()
    # The form has no such field: a forged one is ignored.
    client.post(_enter_url(failed_paper), {**VALID_POST, "keep": "on"})
    failed_paper.refresh_from_db()
    assert (failed_paper.metadata_source, failed_paper.metadata_kept) == (
        MetadataSource.MANUAL,
        False,
    )


@needs_recordings
def test_paper_refetch_of_a_hand_entry_asks_arxiv_and_replaces_it(
    client: Client,
    editor: Any,
    contributor: Any,
    publication: Publication,
    stand_in: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    paper = _recommended_failed(publication, contributor, "1605.08386")
    _enter(paper, contributor, title="Fake Title", authors=["Mallory"])
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_refetch_url(paper))

    assert _messages(response) == [
        ("success", "The paper's metadata will be fetched again shortly.")
    ]
    assert [request.ids for request in stand_in.requests] == [["1605.08386"]]
    state = _state(paper)
    assert (state["source"], state["title"], state["authors"]) == (
        MetadataSource.ARXIV,
        "Heat-bath random walks with Markov bases",
        ["Caprice Stanley", "Tobias Windisch"],
    )
    entry = MetadataEntry.objects.get(paper=paper)
    assert (entry.values["title"], entry.replaced_by) == ("Fake Title", MetadataSource.ARXIV)


def test_paper_refetch_when_no_source_can_be_asked_says_so(
    editor: Any, publication: Publication, settings: Any
) -> None:
    settings.AMINER_API_TOKEN = ""
    paper = PaperFactory(
        pending=True, arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", metadata_attempts=0
    )
    RecommendationFactory(publication=publication, paper=paper)
    before = _state(paper)
    with pytest.raises(InvalidTransition) as refused:
        services.refetch_paper_metadata(paper, by=editor)
    assert refused.value.message == (
        "AMiner cannot be asked for this paper's metadata: this site has no token."
    )
    assert _state(paper) == before


# ---------------------------------------------------------------- an editor's rights end at their
# publications


def _elsewhere(
    where: str, publication: Publication, other_publication: Publication, other_editor: Any
) -> Paper:
    """A hand-entered paper of ``publication`` (B). The editor of ``other_publication`` (A)
    recommended it to A too, except when it is recommended only in B."""
    paper = PaperFactory(
        title="The Real Title",
        authors=["Real Author"],
        metadata_source=MetadataSource.MANUAL,
    )
    if where == "recommended only in B":
        RecommendationFactory(publication=publication, paper=paper)
        return paper
    IssueEntryFactory(
        issue__publication=publication,
        issue__published=where == "published in B",
        recommendation__paper=paper,
    )
    RecommendationFactory(publication=other_publication, paper=paper, submitter=other_editor)
    return paper


WHERE = ["recommended only in B", "scheduled in B's draft issue", "published in B"]


@pytest.mark.parametrize("where", WHERE)
def test_paper_enter_metadata_by_an_editor_of_another_publication_is_refused(
    client: Client,
    publication: Publication,
    other_publication: Publication,
    editor: Any,
    where: str,
) -> None:
    other_editor = UserFactory(username="other-editor")
    other_editor.memberships.create(publication=other_publication, role="editor")
    paper = _elsewhere(where, publication, other_publication, other_editor)
    before = _state(paper)
    client.force_login(other_editor)

    response = client.post(_enter_url(paper), {**VALID_POST, "title": "Rewritten"})

    assert (response.status_code, response.url) == (302, _paper_url(paper))
    assert _messages(response) == [("error", ENTER_REFUSED)]
    assert _state(paper) == before
    assert before["title"] == "The Real Title"
    assert not MetadataEntry.objects.exists()
    with pytest.raises(NotAllowed):
        _enter(paper, other_editor, title="Rewritten")
    assert _state(paper) == before
    issue = paper.issue_entries.values_list("issue", flat=True).first()
    if issue is not None and where != "published in B":
        client.force_login(editor)
        preview = client.get(reverse("issues:issue-preview", args=[issue])).content.decode()
        assert "The Real Title" in preview
        assert "Rewritten" not in preview


# ================================================================ merging a duplicate


def _merge_url(paper: Paper) -> str:
    return reverse("metadata:paper-merge", args=[paper.pk])


@pytest.fixture
def twice(publication: Publication, contributor: Any) -> tuple[Paper, Paper]:
    """One paper under two rows, each recommended to the publication, linked by AMiner."""
    into = PaperFactory(arxiv_id="2109.08133", title="Phrase Retrieval Learns Passage Retrieval")
    other = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", title="By AMiner")
    for paper in (into, other):
        RecommendationFactory(publication=publication, submitter=contributor, paper=paper)
    PossibleDuplicate.objects.create(
        paper=other, duplicate=into, identifier="arXiv:2109.08133", source="aminer"
    )
    return into, other


def test_merge_page_lists_the_possible_duplicates_and_merges_one(
    client: Client, editor: Any, twice: tuple[Paper, Paper]
) -> None:
    into, other = twice
    client.force_login(editor)

    page = client.get(_merge_url(into)).content.decode()
    assert f"#{other.pk} AMiner {other.aminer_id}" in page
    assert (
        client.get(reverse("papers:paper-detail", args=[into.pk]))
        .content.decode()
        .count(_merge_url(into))
        == 1
    )

    response = client.post(_merge_url(into), {"other": str(other.pk), "note": "Same paper."})

    assert response.status_code == 302
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        f"AMiner {other.aminer_id} was merged into this paper."
    ]
    assert list(Paper.objects.values_list("pk", "aminer_id")) == [(into.pk, other.aminer_id)]
    merge = PaperMerge.objects.get()
    assert (merge.removed_id, merge.merged_by, merge.note) == (other.pk, editor, "Same paper.")


def test_merge_page_finds_the_duplicate_by_its_link(
    client: Client, editor: Any, twice: tuple[Paper, Paper]
) -> None:
    _into, other = twice
    client.force_login(editor)

    client.post(_merge_url(other), {"other": "https://arxiv.org/abs/2109.08133v2"})

    assert list(Paper.objects.values_list("pk", "arxiv_id")) == [(other.pk, "2109.08133")]


@pytest.mark.parametrize("other", ["#999999", "not an identifier", ""])
def test_merge_page_says_when_no_paper_answers(
    client: Client, editor: Any, twice: tuple[Paper, Paper], other: str
) -> None:
    into, _other = twice
    client.force_login(editor)

    response = client.post(_merge_url(into), {"other": other})

    assert response.status_code == 200
    assert response.context["form"].errors["other"] in (
        ["No paper in the catalogue answers to this."],
        ["This field is required."],
    )
    assert Paper.objects.count() == 2


def test_merge_page_asks_for_the_editors_word_on_a_published_issue(
    client: Client, editor: Any, publication: Publication, twice: tuple[Paper, Paper]
) -> None:
    into, other = twice
    issue = IssueFactory(publication=publication, published=True, number=3)
    for paper in (into, other):
        IssueEntryFactory(issue=issue, recommendation=paper.recommendations.get())
    client.force_login(editor)

    refused = client.post(_merge_url(into), {"other": str(other.pk)})

    assert (
        "Issue #3 shows both papers" in refused.context["form"].errors["keep_published_entries"][0]
    )
    assert Paper.objects.count() == 2

    client.post(_merge_url(into), {"other": str(other.pk), "keep_published_entries": "on"})

    assert Paper.objects.count() == 1
    assert PaperMerge.objects.get().moved["issues"]["detached"] != []


def test_merge_page_sends_a_reviewer_back_to_the_paper(
    client: Client, reviewer: Any, twice: tuple[Paper, Paper]
) -> None:
    into, other = twice
    client.force_login(reviewer)

    response = client.post(_merge_url(into), {"other": str(other.pk)})

    assert response.url == reverse("papers:paper-detail", args=[into.pk])
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        REFUSALS["recommendations.merge_papers"]
    ]
    assert Paper.objects.count() == 2
    assert _merge_url(into) not in client.get(response.url).content.decode()
