"""The metadata tools of the paper page: an editor's "fetch again" (``issues:paper-refetch``) and
filling in the metadata by hand (``issues:paper-enter-metadata``), through the views and through
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

from issues import services
from issues.exceptions import InvalidInput, NotAllowed
from issues.models import Publication
from issues.permissions import REFUSALS
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from tests.factories import PaperFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

REFETCH_REFUSED = "Only editors may have a paper's metadata fetched again."
ENTER_REFUSED = (
    "Only editors, or members who recommended the paper while its metadata is missing, may "
    "fill it in by hand."
)
#: What the eager fetch leaves behind: the autouse ``_offline`` fixture points arXiv at a closed
#: port, and an in-process task is its own final attempt.
UNREACHABLE = (
    "arXiv could not be reached: arXiv could not be reached. Please try again later. "
    "Gave up after retrying."
)
FAILED_ERROR = "arXiv answered something unusable: no feed. Gave up after retrying."


def _state(paper: Paper) -> dict[str, Any]:
    """The fetch workflow's columns and the metadata a manual entry writes, as stored."""
    row = Paper.objects.get(pk=paper.pk)
    return {
        "status": row.metadata_status,
        "source": row.metadata_source,
        "error": row.metadata_error,
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
    return reverse("issues:paper-refetch", args=[paper.pk])


def _enter_url(paper: Paper) -> str:
    return reverse("issues:paper-enter-metadata", args=[paper.pk])


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
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    paper = _failed(
        metadata_status=MetadataStatus.NOT_FOUND,
        metadata_error="arXiv has no paper with the id 2401.00042.",
        metadata_attempts=1,
    )
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


def test_paper_refetch_by_editor_of_another_publication_is_allowed(
    client: Client,
    other_publication: Publication,
    failed_paper: Paper,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    other_editor = UserFactory(username="other-editor")
    other_editor.memberships.create(publication=other_publication, role="editor")
    client.force_login(other_editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_refetch_url(failed_paper))

    assert _messages(response) == [
        ("success", "The paper's metadata will be fetched again shortly.")
    ]
    assert (_state(failed_paper)["status"], len(callbacks)) == (MetadataStatus.PENDING, 1)


def test_paper_refetch_ok_paper_is_refreshed_without_reset(
    client: Client, editor: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    paper = PaperFactory(title="Fetched", metadata_attempts=1)
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
    client: Client, editor: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    paper = PaperFactory(title="Fetched", authors=["Ada Lovelace"])
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
    assert _messages(response) == [("error", REFUSALS["issues.refetch_paper_metadata"])]
    assert REFUSALS["issues.refetch_paper_metadata"] == REFETCH_REFUSED
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
    assert client.post(reverse("issues:paper-refetch", args=[987654])).status_code == 404


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
        "issues.refetch_paper_metadata",
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
        failed_paper.metadata_error,
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
    "institutions": ["Facebook AI", "University of Washington", "Princeton University"],
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
    assert response.templates[0].name == "issues/paper_metadata_form.html"
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


def test_paper_enter_metadata_post_again_after_it_became_ok_is_403(
    client: Client, contributor: Any, failed_paper: Paper
) -> None:
    client.force_login(contributor)
    assert client.post(_enter_url(failed_paper), VALID_POST).status_code == 302

    response = client.post(_enter_url(failed_paper), {**VALID_POST, "title": "Overwritten"})

    assert response.status_code == 403
    assert _state(failed_paper) == SAVED
    assert client.get(_enter_url(failed_paper)).status_code == 403


def test_paper_enter_metadata_by_editor_on_an_ok_paper(client: Client, editor: Any) -> None:
    paper = PaperFactory(
        title="Old title", year=2017, authors=["Old Author"], institutions=["Old Lab"]
    )
    client.force_login(editor)
    response = client.post(_enter_url(paper), VALID_POST)

    assert (response.status_code, response.url) == (302, _paper_url(paper))
    assert _state(paper) == SAVED | {"attempts": 0}


def test_paper_enter_metadata_by_editor_keeps_the_fields_the_form_does_not_show(
    client: Client, editor: Any
) -> None:
    paper = PaperFactory(
        title="Old title",
        primary_category="cs.CL",
        categories=["cs.CL", "cs.IR"],
        journal_ref="EMNLP 2020",
        comment="12 pages",
        pdf_url="https://arxiv.org/pdf/2004.04906v3",
        revised_on=dt.date(2020, 9, 30),
    )
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


@pytest.mark.parametrize(
    ("who", "status", "allowed"),
    [
        ("contributor", MetadataStatus.FAILED, True),
        ("contributor", MetadataStatus.NOT_FOUND, True),
        ("contributor", MetadataStatus.PENDING, True),
        ("contributor", MetadataStatus.OK, False),
        ("other_contributor", MetadataStatus.FAILED, False),
        ("other_contributor", MetadataStatus.OK, False),
        ("reviewer", MetadataStatus.FAILED, False),
        ("editor", MetadataStatus.FAILED, True),
        ("editor", MetadataStatus.OK, True),
        ("admin_user", MetadataStatus.OK, True),
    ],
)
def test_paper_enter_metadata_post_permission_matrix(
    client: Client,
    request: pytest.FixtureRequest,
    failed_paper: Paper,
    who: str,
    status: str,
    allowed: bool,
) -> None:
    Paper.objects.filter(pk=failed_paper.pk).update(metadata_status=status)
    before = _state(failed_paper)
    client.force_login(request.getfixturevalue(who))
    response = client.post(_enter_url(failed_paper), VALID_POST)

    if allowed:
        assert (response.status_code, response.url) == (302, _paper_url(failed_paper))
        assert _state(failed_paper) == SAVED
    else:
        assert response.status_code == 403
        assert _state(failed_paper) == before


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
    url = reverse("issues:paper-enter-metadata", args=[987654])
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
    assert response.templates[0].name == "issues/paper_metadata_form.html"
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
        "issues.enter_paper_metadata",
    )
    assert REFUSALS["issues.enter_paper_metadata"] == ENTER_REFUSED
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
