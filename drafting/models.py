"""The publication's voice (its house style, glossary and prompts) and the drafts a language
model wrote for its entries, with the tokens each request cost."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from drafting.enums import BackendFault, DraftStatus, Spacing


class HouseStyleSettings(models.Model):
    """What the house-style check holds a publication's texts to; without a row, the defaults."""

    publication = models.OneToOneField(
        "publications.Publication",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="house_style",
    )
    spacing = models.CharField(
        _("spacing between Chinese and Latin text"),
        max_length=8,
        choices=Spacing.choices,
        default=Spacing.ANY,
    )
    summary_min_length = models.PositiveIntegerField(
        _("shortest summary"), default=0, help_text=_("In characters; 0 for no bound.")
    )
    summary_max_length = models.PositiveIntegerField(
        _("longest summary"), default=0, help_text=_("In characters; 0 for no bound.")
    )
    title_max_length = models.PositiveIntegerField(
        _("longest Chinese title"), default=0, help_text=_("In characters; 0 for no bound.")
    )
    drafts_enabled = models.BooleanField(
        _("drafts by the language model"),
        default=True,
        help_text=_(
            "Ask the site's language model for drafts of this publication's entries, when the "
            "site has one."
        ),
    )
    show_draft_note = models.BooleanField(
        _("tell readers"),
        default=False,
        help_text=_("Show readers a note on entries whose text began as a model's draft."),
    )

    class Meta:
        verbose_name = _("house style")
        verbose_name_plural = _("house styles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spacing__in=Spacing.values), name="housestyle_spacing_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.publication)


class GlossaryTerm(models.Model):
    """A term of a publication's voice: how it is written in Chinese, or kept in English."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="glossary_terms"
    )
    term = models.CharField(_("term"), max_length=100, help_text=_("In English, e.g. pretraining."))
    translation = models.CharField(
        _("in Chinese"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 预训练; empty: the term is kept in English (Transformer, BERT)."),
    )
    avoid = models.TextField(
        _("renderings to avoid"),
        blank=True,
        help_text=_("One a line, e.g. 预先训练: the check warns where a text uses one."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["term", "id"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        constraints = [
            models.UniqueConstraint("publication", Lower("term"), name="glossaryterm_unique_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.translation or self.term}"

    @property
    def avoided(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.avoid.splitlines() if line.strip())


class PromptTemplate(models.Model):
    """One version of the instructions a publication gives the model; the newest is in use. A
    change is a new version, so every draft names the words it was asked with."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="prompt_templates"
    )
    version = models.PositiveIntegerField(_("version"))
    instructions = models.TextField(_("instructions"))
    examples = models.PositiveSmallIntegerField(
        _("examples"),
        default=3,
        help_text=_("How many of the publication's own past entries the prompt shows as examples."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "-version"]
        verbose_name = _("prompt template")
        verbose_name_plural = _("prompt templates")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "version"], name="prompttemplate_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication} v{self.version}"


class Draft(models.Model):
    """What the model proposed for a paper's entry in a publication: text only once a person
    accepts or edits it. One per paper and publication; asking again replaces it."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="drafts"
    )
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="drafts")
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.QUEUED
    )
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    summary_zh = models.TextField(_("Chinese summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=60, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=60, blank=True)
    topic = models.ForeignKey(
        "publications.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    institutions = models.JSONField(
        _("proposed short forms"),
        default=list,
        blank=True,
        help_text=_(
            "Chinese short forms for institutions the glossary does not know, for an editor."
        ),
    )
    reason = models.TextField(_("reason"), blank=True)
    model = models.CharField(_("model"), max_length=200, blank=True)
    prompt_version = models.PositiveIntegerField(_("prompt version"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    #: {field: "as_is" or "edited"} of the fields a person submitted from this draft.
    accepted_fields = models.JSONField(_("fields accepted"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["publication", "paper"], name="draft_unique_paper"),
            models.CheckConstraint(
                condition=models.Q(status__in=DraftStatus.values), name="draft_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper} ({self.publication}): {self.status}"


class DraftingRequest(models.Model):
    """One request to the model and the tokens it cost: the monthly budget and the members'
    rate are counted on these rows."""

    publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paper = models.ForeignKey(
        "papers.Paper", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    model = models.CharField(_("model"), max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=DraftStatus.choices)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("drafting request")
        verbose_name_plural = _("drafting requests")

    def __str__(self) -> str:
        return f"{self.model}: {self.prompt_tokens}+{self.completion_tokens} tokens"

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class BackendProblem(models.Model):
    """A fault of the model's configuration (a refused key, a missing model), recorded once and
    told to the editors once; a later successful request clears it."""

    fault = models.CharField(_("fault"), max_length=20, choices=BackendFault.choices, unique=True)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("problem of the language model")
        verbose_name_plural = _("problems of the language model")

    def __str__(self) -> str:
        return self.get_fault_display()
