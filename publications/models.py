"""Publications, their teams, their style and their uploads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TransitionRecord
from publications import style as publication_style
from publications.enums import AuthorStyle, LinkFormat, TeamRole

#: A new publication's ``weekly_submission_quota``: far above what a member who reads and writes
#: summaries sends in a week, far below what a script would.
DEFAULT_WEEKLY_SUBMISSION_QUOTA = 20


class Publication(models.Model):
    """A digest with its own team and its own issue numbering, e.g. Pretraining Weekly."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    approvals_required = models.PositiveSmallIntegerField(
        _("approvals required"),
        default=1,
        help_text=_("How many reviewers must approve a recommendation before it is accepted."),
    )
    weekly_submission_quota = models.PositiveIntegerField(
        _("weekly submission quota"),
        null=True,
        blank=True,
        default=DEFAULT_WEEKLY_SUBMISSION_QUOTA,
        help_text=_(
            "The most recommendations one member may make to this publication in any 7 days, "
            "drafts included; empty or 0 for no limit. Its editors are not limited."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approvals_required__gte=1),
                name="publication_approvals_required_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str) -> str:
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class Topic(models.Model):
    """A subject a publication's issues group their papers by, named in English and Chinese;
    made by the publication's editors, so each publication has topics of its own."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Topics are listed and grouped in this order.")
    )

    class Meta:
        ordering = ["position", "name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["publication", "slug"], name="topic_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.name_zh})" if self.name_zh else self.name_en

    def name_for(self, language: str) -> str:
        """The name to show in ``language`` (a Django language code), falling back to English."""
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name_en


class Membership(models.Model):
    """A member's team role in one publication. Every signed-up member is a contributor anyway."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "role", "user"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["publication", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.publication})"


class PublicationStyle(models.Model):
    """How a publication's issues are written: set by its editors (``set_publication_style``).

    A publication without a row has the defaults of ``publications.style``, which reproduce the
    layout every publication had before styles.
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="style"
    )
    author_style = models.CharField(
        _("authors shown"), max_length=16, choices=AuthorStyle.choices, default=AuthorStyle.FIRST
    )
    authors_shown = models.PositiveSmallIntegerField(
        _("how many authors"),
        default=3,
        help_text=_("How many authors an entry names before “et al.”, the last one included."),
    )
    authors_more = models.CharField(
        _("et al."),
        max_length=20,
        default="等",
        blank=True,
        help_text=_("What follows the authors when some are left out."),
    )
    institutions_shown = models.PositiveSmallIntegerField(
        _("how many institutions"),
        default=3,
        help_text=_("How many institutions an entry names before “等” (et al.)."),
    )
    link_order = models.CharField(
        _("paper link"),
        max_length=40,
        default=publication_style.DEFAULT_LINK_ORDER,
        help_text=_(
            "Where an entry links its paper: the first of arxiv, aminer, doi, in this order, "
            "that the paper has."
        ),
    )
    link_format = models.CharField(
        _("links written"), max_length=16, choices=LinkFormat.choices, default=LinkFormat.AUTOLINK
    )
    sections = models.CharField(
        _("sections"),
        max_length=80,
        default=publication_style.DEFAULT_SECTIONS,
        help_text=_("The sections of an issue in their order, of: about, papers, news, closing."),
    )
    header_template = models.TextField(
        _("header"), default=publication_style.HEADER_TEMPLATE, help_text=_("Markdown.")
    )
    heading_about = models.CharField(
        _("heading of the introduction"),
        max_length=200,
        default=publication_style.HEADING_ABOUT,
        blank=True,
    )
    heading_papers = models.CharField(
        _("heading of the papers"),
        max_length=200,
        default=publication_style.HEADING_PAPERS,
        blank=True,
    )
    heading_news = models.CharField(
        _("heading of the news"), max_length=200, default=publication_style.HEADING_NEWS, blank=True
    )
    intro_template_zh = models.TextField(
        _("introduction (Chinese)"), default=publication_style.INTRO_TEMPLATE_ZH, blank=True
    )
    intro_template_en = models.TextField(
        _("introduction (English)"), default=publication_style.INTRO_TEMPLATE_EN, blank=True
    )
    last_joiner_zh = models.CharField(
        _("last joiner (Chinese)"),
        max_length=4,
        default="、",
        help_text=_("What joins the last two subjects of a Chinese list."),
    )
    invitation_zh = models.TextField(
        _("invitation (Chinese)"), default=publication_style.INVITATION_ZH, blank=True
    )
    invitation_en = models.TextField(
        _("invitation (English)"), default=publication_style.INVITATION_EN, blank=True
    )
    credit_template = models.CharField(
        _("credit line"), max_length=300, default=publication_style.CREDIT_TEMPLATE
    )
    entry_template = models.TextField(
        _("paper entry"), default=publication_style.ENTRY_TEMPLATE, help_text=_("Markdown.")
    )
    closing = models.TextField(
        _("closing block"),
        blank=True,
        help_text=_("Markdown, after the entries: a QR code from the uploads, a sign-off."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("publication style")
        verbose_name_plural = _("publication styles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(authors_shown__gte=1) & models.Q(authors_shown__lte=50),
                name="publicationstyle_authors_shown_range",
            ),
            models.CheckConstraint(
                condition=models.Q(institutions_shown__gte=1)
                & models.Q(institutions_shown__lte=50),
                name="publicationstyle_institutions_shown_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.publication)

    @property
    def link_sources(self) -> list[str]:
        return [name for name in self.link_order.split(",") if name]

    @property
    def section_names(self) -> list[str]:
        return [name for name in self.sections.split(",") if name]


def _upload_path(upload: PublicationUpload, filename: str) -> str:
    # The stored name is ours alone (random, with the extension of the type we read), never
    # the sender's: nothing they name reaches the file system or the address.
    return f"publications/{upload.publication_id}/{upload.token}.{upload.extension}"


class PublicationUpload(models.Model):
    """An image a publication's editors uploaded for its texts (a QR code for the closing block),
    served by the site at ``uploads:upload``."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="uploads")
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(max_length=40, editable=False)
    file = models.FileField(_("file"), upload_to=_upload_path, max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return self.name or f"{self.token}.{self.extension}"


class PublicationChange(TransitionRecord):
    """The audit trail of a publication's settings: its style, uploads and topics."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="changes")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("change of a publication")
        verbose_name_plural = _("changes of publications")

    def __str__(self) -> str:
        return f"{self.publication}: {self.action}"
