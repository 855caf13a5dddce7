"""Forms of the contributor's recommendation pages: types and lengths only.

What a summary may hold, whether a link is a web address, whether the paper may be recommended
again: the services decide (``recommendations.services.create_recommendation`` and friends), so
the site and the API refuse the same input with the same message. The one rule checked here as
well is the identifier's form, with the parser's own message, so a typo is reported before
anything else is looked at.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from papers.identifiers import MAX_INPUT_LENGTH, InvalidIdentifier, parse_identifier
from publications import selectors as publication_selectors
from publications.models import Publication, Topic
from publications.selectors import topics
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation

#: As the API allows: the service refuses more than ``SUMMARY_MAX_LENGTH`` with its message.
SUMMARY_INPUT_LENGTH = 20_000

#: The buttons of the create forms (``name="action"``).
ACTION_PREVIEW = "preview"
ACTION_DRAFT = "draft"


class PublicationChoiceField(forms.ModelChoiceField):
    """A publication, chosen by its slug so ``?publication=<slug>`` can preselect it."""

    def label_from_instance(self, obj: Publication) -> str:
        return obj.name_for(get_language() or "en")

    def to_python(self, value: Any) -> Any:
        # No slug holds a NUL, and PostgreSQL refuses one in a query (a server error otherwise).
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class TopicChoiceField(forms.ModelChoiceField):
    #: Whether the choices span several publications: each then names its own.
    with_publication = False

    def label_from_instance(self, obj: Topic) -> str:
        language = get_language() or "en"
        name = obj.name_for(language)
        return f"{obj.publication.name_for(language)}: {name}" if self.with_publication else name


def _summary_field() -> PlainTextField:
    # Not required here: the service refuses an empty summary with the message the API gives.
    return PlainTextField(
        label=_("Summary"),
        help_text=_(
            "A paragraph on what it is about and why it matters. Markdown: *emphasis*, "
            "**bold**, [links](https://…), lists."
        ),
        required=False,
        max_length=SUMMARY_INPUT_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                # The live preview (htmx posts the enclosing form, its CSRF token included).
                "hx-post": reverse_lazy("recommendations:preview"),
                "hx-trigger": "keyup changed delay:600ms, change",
                "hx-target": "#summary-preview",
                "hx-swap": "innerHTML",
            }
        ),
    )


def _title_zh_field() -> PlainTextField:
    return PlainTextField(
        label=_("Chinese title"),
        max_length=500,
        required=False,
        # The house-style check comes back with the summary's preview.
        widget=forms.TextInput(
            attrs={
                "hx-post": reverse_lazy("recommendations:preview"),
                "hx-trigger": "keyup changed delay:600ms, change",
                "hx-target": "#summary-preview",
                "hx-swap": "innerHTML",
            }
        ),
    )


def _topic_field() -> TopicChoiceField:
    return TopicChoiceField(
        label=_("Topic"),
        queryset=topics(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("Issues group their papers by topic."),
    )


class _PublicationMixin(forms.Form):
    """The publication field, hidden when the site hosts only one."""

    publication = PublicationChoiceField(
        label=_("Publication"),
        queryset=publication_selectors.publications(),
        to_field_name="slug",
        empty_label=None,
        required=False,  # see clean_publication
    )

    def _set_up_publication(self) -> None:
        field = self.fields["publication"]
        choices = list(field.queryset[:2])
        if len(choices) == 1:
            field.widget = forms.HiddenInput()
            field.initial = choices[0].slug
        self.single_publication = choices[0] if len(choices) == 1 else None
        self.has_publications = bool(choices)

    def clean_publication(self) -> Publication | None:
        chosen = self.cleaned_data.get("publication")
        if chosen is None and self.single_publication is not None:
            return self.single_publication
        if chosen is None:
            raise forms.ValidationError(_("Choose a publication."), code="required")
        return chosen


class PaperRecommendationForm(_PublicationMixin):
    """Recommend a paper: one identifier field for every form the parser accepts."""

    identifier = PlainTextField(
        label=_("Paper"),
        max_length=MAX_INPUT_LENGTH,
        help_text=_(
            "An arXiv id or link (2109.08133, https://arxiv.org/abs/2109.08133), a DOI "
            "(10.1145/3292500.3330701 or its https://doi.org/ link), an ACL Anthology id or link "
            "(2022.acl-long.123), an OpenReview forum link, a Semantic Scholar paper link or an "
            "AMiner paper link."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                # Who recommended it before, as soon as the member leaves the field.
                "hx-get": reverse_lazy("recommendations:check"),
                "hx-trigger": "change",
                "hx-target": "#identifier-check",
                "hx-swap": "innerHTML",
                "hx-include": "[name='publication']",
            }
        ),
    )
    summary = _summary_field()
    title_zh = _title_zh_field()
    code_url = PlainTextField(
        label=_("Code link"),
        max_length=500,
        required=False,
        help_text=_("Where the paper's code can be downloaded, if anywhere."),
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/…"}),
    )
    topic = _topic_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_publication()
        # The topics of the one publication; with several, every publication's, each named
        # with its publication (the service refuses one of another publication than chosen).
        field = self.fields["topic"]
        if self.single_publication is not None:
            field.queryset = topics(self.single_publication)
        else:
            field.with_publication = True

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"]
        try:
            parse_identifier(identifier)
        except InvalidIdentifier as error:
            raise forms.ValidationError(str(error), code="invalid_identifier") from None
        return identifier

    def service_values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.create_recommendation``."""
        return {
            name: self.cleaned_data[name]
            for name in ("publication", "identifier", "summary", "title_zh", "code_url", "topic")
        }


class NewsRecommendationForm(_PublicationMixin):
    """Share a research news item: a title, its link and a short summary."""

    news_title = PlainTextField(label=_("Title"), max_length=300, required=False)
    news_url = PlainTextField(
        label=_("Link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
    summary = _summary_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_publication()

    def service_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("publication", "news_title", "news_url", "summary")
        }


class RecommendationEditForm(forms.Form):
    """The submitter's own fields, while the recommendation is still open."""

    news_title = PlainTextField(label=_("Title"), max_length=300, required=False)
    news_url = PlainTextField(
        label=_("Link"), max_length=500, required=False, widget=forms.URLInput()
    )
    summary = _summary_field()
    title_zh = _title_zh_field()
    code_url = PlainTextField(
        label=_("Code link"), max_length=500, required=False, widget=forms.URLInput()
    )
    topic = _topic_field()

    PAPER_FIELDS = ("summary", "title_zh", "code_url", "topic")
    NEWS_FIELDS = ("news_title", "news_url", "summary")

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        keep = self.NEWS_FIELDS if recommendation.is_news else self.PAPER_FIELDS
        kwargs.setdefault("initial", {name: getattr(recommendation, name) for name in keep})
        super().__init__(*args, **kwargs)
        if "topic" in self.fields:
            self.fields["topic"].queryset = topics(recommendation.publication_id)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # The preview's house-style check holds the text to this publication's style.
        for name in ("summary", "title_zh"):
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs = {
                    **widget.attrs,
                    "hx-vals": json.dumps({"style_publication": recommendation.publication_id}),
                }

    def service_values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.edit_recommendation``."""
        return dict(self.cleaned_data)


class StatusFilterForm(forms.Form):
    """``?status=`` of the "my submissions" list; anything unknown shows every status."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *list(RecommendationStatus.choices)],
        required=False,
    )


class NoteForm(forms.Form):
    """The optional note of a withdrawal or a submission, kept in the history."""

    note = PlainTextField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EntryRevisionForm(RecommendationEditForm):
    """What the publication's team may change of the entry a recommendation makes, before it is
    published (``services.revise_recommendation``). Each form on a page has its own prefix, so
    the issue builder can hold one per entry."""

    subject_zh = PlainTextField(
        label=_("Subject (Chinese)"),
        max_length=60,
        required=False,
        help_text=_("A short phrase in Chinese for what the paper is about."),
    )
    subject_en = PlainTextField(label=_("Subject (English)"), max_length=60, required=False)
    shown_authors = PlainTextField(
        label=_("Authors as shown"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; empty: the paper's authors."),
    )
    shown_institutions = PlainTextField(
        label=_("Institutions as shown"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; empty: the paper's institutions."),
    )
    paper_url = PlainTextField(
        label=_("Paper link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(),
        help_text=_("Empty: the paper's own link."),
    )

    PAPER_FIELDS = (
        "summary",
        "title_zh",
        "subject_zh",
        "subject_en",
        "shown_authors",
        "shown_institutions",
        "code_url",
        "paper_url",
        "topic",
    )
    NEWS_FIELDS = ("news_title", "news_url", "summary", "subject_zh", "subject_en", "topic")

    def __init__(
        self,
        *args: Any,
        recommendation: Recommendation,
        topics: Sequence[Topic] | None = None,
        **kwargs: Any,
    ) -> None:
        """``topics``, when given, are the topic choices already read: a page with a form per
        entry reads them once."""
        kwargs.setdefault("prefix", f"entry-{recommendation.pk}")
        super().__init__(*args, recommendation=recommendation, **kwargs)
        field = self.fields["topic"]
        if topics is not None:
            field.choices = [("", field.empty_label)] + [
                (topic.pk, field.label_from_instance(topic)) for topic in topics
            ]
        for name in ("summary", "title_zh"):
            if name not in self.fields:
                continue
            # A page may hold a form per entry: each previews into a box of its own.
            widget = self.fields[name].widget
            widget.attrs = {
                **widget.attrs,
                "hx-target": f"#{self.preview_id}",
                "hx-vals": json.dumps(
                    {
                        "preview_field": self.add_prefix("summary"),
                        "style_publication": recommendation.publication_id,
                    }
                ),
            }
        paper = recommendation.paper
        if paper is not None:
            # What an empty field shows instead, as a hint.
            self.fields["shown_authors"].widget.attrs["placeholder"] = "\n".join(
                a.author.name for a in paper.authorships.all()
            )
            self.fields["shown_institutions"].widget.attrs["placeholder"] = "\n".join(
                pi.institution.name for pi in paper.paper_institutions.all()
            )
            self.fields["paper_url"].widget.attrs["placeholder"] = paper.url

    @property
    def preview_id(self) -> str:
        """The id of the box the summary's preview goes into."""
        return f"{self.prefix}-summary-preview"

    def service_values(self) -> dict[str, Any]:
        """The keyword arguments of ``services.revise_recommendation``."""
        return dict(self.cleaned_data)
