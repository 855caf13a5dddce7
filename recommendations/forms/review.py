"""Forms of the review pages: validation of input only; ``recommendations.services`` decides
and writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from publications.models import Publication, Topic
from recommendations.enums import Verdict

#: As long as the service allows a review comment to be.
COMMENT_MAX_LENGTH = 5000
#: As long as a slug may be; anything longer names nothing.
SLUG_MAX_LENGTH = 80


class SlugChoiceField(forms.ModelChoiceField):
    """A choice by slug from the query string. A value no slug could be (too long, a NUL that
    PostgreSQL would refuse) is an unknown choice without asking the database."""

    def to_python(self, value: Any) -> Model | None:
        if isinstance(value, str) and ("\x00" in value or len(value) > SLUG_MAX_LENGTH):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ReviewQueueFilterForm(forms.Form):
    """The queue's filters, from the query string: a publication one reviews, a topic."""

    publication = SlugChoiceField(
        label=_("Publication"),
        queryset=Publication.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All my publications"),
        error_messages={
            "invalid_choice": _(
                "There is no publication by that name among those you review. "
                "Choose one from the list."
            ),
        },
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        error_messages={
            "invalid_choice": _("There is no topic by that name. Choose one from the list."),
        },
    )

    def __init__(
        self,
        *args: Any,
        publications: QuerySet[Publication],
        topics: Iterable[Topic],
        language: str = "en",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        publication_field = self.fields["publication"]
        publication_field.queryset = publications
        publication_field.label_from_instance = lambda p: p.name_for(language)
        # Publications may each have a topic of one slug: the queue filters by the slug, so one
        # choice stands for all of them.
        by_slug = {topic.slug: topic.name_for(language) for topic in reversed(list(topics))}
        ordered = dict.fromkeys(topic.slug for topic in topics)
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (slug, by_slug[slug]) for slug in ordered
        ]


class ReviewForm(forms.Form):
    """A reviewer's verdict and comment. Whether the comment is needed is the service's rule
    (``recommendations.services.review_recommendation``), so the form and the API refuse alike."""

    verdict = forms.ChoiceField(
        label=_("Decision"),
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve, request changes or reject.")},
    )
    comment = PlainTextField(
        label=_("Comment"),
        help_text=_("Required when you request changes or reject: the submitter reads it."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
    )
    # The version the reviewer read: the service refuses the review if it has changed since.
    review_round = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
