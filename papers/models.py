"""The paper catalogue: one row per real paper, its ordered authors and institutions.

A paper is identified by its versionless arXiv id, its AMiner id, its DOI, its ACL Anthology id,
its OpenReview forum id or its Semantic Scholar id; each is unique where present, and the
database, not ``clean()``, enforces it, so twenty concurrent submissions of one paper end in one
row.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from papers.enums import AffiliationSource, MetadataSource, MetadataStatus
from papers.faults import describe as describe_fault_text


class Institution(models.Model):
    """An institution, stored once: keyed by its ROR id where it has one, else by its name.

    ``names`` keeps what ROR knows it as, each name with its language tag and kinds, in ROR's
    own shape (``{"value": "清华大学", "lang": "zh", "types": ["label"]}``), so that a paper's
    institutions can be shown in the reader's language.
    """

    name = models.CharField(_("name"), max_length=300, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    # Absent ROR ids are NULL, not "", so that the unique constraint lets many lack one.
    ror_id = models.CharField(  # noqa: DJ001
        _("ROR id"),
        max_length=9,
        null=True,
        blank=True,
        help_text=_("The nine characters after https://ror.org/."),
    )
    country_code = models.CharField(_("country"), max_length=2, blank=True)
    kind = models.CharField(_("type"), max_length=32, blank=True)
    names = models.JSONField(_("names in other languages"), default=list, blank=True)
    ror_fetched_at = models.DateTimeField(_("ROR record read at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(fields=["ror_id"], name="institution_unique_ror_id"),
            models.CheckConstraint(
                condition=~models.Q(ror_id=""), name="institution_ror_id_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str) -> str:
        """The name a reader of ``language`` reads: the Chinese one for Chinese, when known."""
        if language.lower().startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class InstitutionGlossaryEntry(models.Model):
    """How the community writes an institution: its short forms in Chinese and in English
    (斯坦福 / Stanford), kept by editors. Resolution (``papers.institutions``) finds an
    institution's entry by its ROR id, else by its names against the entry's name, aliases and
    short forms, all normalised.

    A Chinese short form names one entry only, so that one typed by hand finds one institution.
    """

    name = models.CharField(
        _("name"), max_length=300, unique=True, help_text=_("The institution's full name.")
    )
    # Absent ROR ids are NULL, not "", so that the unique constraint lets many lack one.
    ror_id = models.CharField(  # noqa: DJ001
        _("ROR id"),
        max_length=9,
        null=True,
        blank=True,
        help_text=_("The nine characters after https://ror.org/, where known."),
    )
    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Other ways papers name it, in any language, for matching."),
    )
    short_zh = models.CharField(_("Chinese short form"), max_length=60, blank=True)
    short_en = models.CharField(_("English short form"), max_length=60, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
        help_text=_("Empty for the glossary shipped with Weekly."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution glossary entry")
        verbose_name_plural = _("institution glossary")
        constraints = [
            models.UniqueConstraint(fields=["ror_id"], name="glossary_unique_ror_id"),
            models.CheckConstraint(
                condition=~models.Q(ror_id=""), name="glossary_ror_id_not_empty"
            ),
            models.UniqueConstraint(
                fields=["short_zh"],
                condition=~models.Q(short_zh=""),
                name="glossary_unique_short_zh",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.short_zh or '–'} / {self.short_en or '–'})"


class InstitutionGlossaryChange(models.Model):
    """The audit trail of the glossary: who changed an entry, from what to what."""

    entry = models.ForeignKey(
        InstitutionGlossaryEntry, on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change of the institution glossary")
        verbose_name_plural = _("changes of the institution glossary")

    def __str__(self) -> str:
        return f"{self.entry.name} ({self.changed_at:%Y-%m-%d %H:%M})"


class Author(models.Model):
    """An author as named on papers. Authors are matched by their exact name."""

    name = models.CharField(_("name"), max_length=300, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name


#: The catalogue's column of each identifier scheme (``papers.identifiers``).
IDENTIFIER_FIELDS = {
    "arxiv": "arxiv_id",
    "aminer": "aminer_id",
    "doi": "doi",
    "acl": "acl_id",
    "openreview": "openreview_id",
    "s2": "s2_id",
}


class PaperQuerySet(models.QuerySet["Paper"]):
    def update(self, **kwargs: object) -> int:
        """Mark the rows changed, as ``save()`` does: the paper's page is cached under its
        ``updated_at`` (``issues.views.reader.PaperDetailView``), so every change of the row must
        move it, by whichever service and with whichever fields."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


class Paper(models.Model):
    # Absent identifiers are NULL, not "": the unique constraints must let many papers lack one.
    arxiv_id = models.CharField(  # noqa: DJ001
        _("arXiv id"), max_length=40, null=True, blank=True, help_text=_("Without version.")
    )
    arxiv_version = models.PositiveSmallIntegerField(
        _("latest arXiv version"), null=True, blank=True
    )
    aminer_id = models.CharField(_("AMiner id"), max_length=24, null=True, blank=True)  # noqa: DJ001
    doi = models.CharField(_("DOI"), max_length=255, null=True, blank=True)  # noqa: DJ001
    acl_id = models.CharField(  # noqa: DJ001
        _("ACL Anthology id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("2022.acl-long.123 or P19-1001."),
    )
    openreview_id = models.CharField(  # noqa: DJ001
        _("OpenReview id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The id of its forum: https://openreview.net/forum?id=<id>."),
    )
    # Kept for what Semantic Scholar maps it to (its arXiv id, DOI or ACL Anthology id), which
    # the paper is then known by; a paper known by this alone waits for that answer.
    s2_id = models.CharField(  # noqa: DJ001
        _("Semantic Scholar id"),
        max_length=40,
        null=True,
        blank=True,
        help_text=_("40 hex characters: https://www.semanticscholar.org/paper/<id>."),
    )

    title = models.TextField(_("title"), blank=True)
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    published_on = models.DateField(_("first published"), null=True, blank=True)
    revised_on = models.DateField(_("last revised"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    primary_category = models.CharField(_("primary category"), max_length=40, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    journal_ref = models.CharField(_("journal reference"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    code_url = models.URLField(_("code"), max_length=500, blank=True)
    pdf_url = models.URLField(_("PDF"), max_length=500, blank=True)

    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="papers", verbose_name=_("authors")
    )
    institutions = models.ManyToManyField(
        Institution,
        through="PaperInstitution",
        related_name="papers",
        verbose_name=_("institutions"),
    )

    metadata_status = models.CharField(
        _("metadata status"),
        max_length=16,
        choices=MetadataStatus.choices,
        default=MetadataStatus.PENDING,
    )
    metadata_source = models.CharField(
        _("metadata source"), max_length=16, choices=MetadataSource.choices, blank=True
    )
    metadata_error = models.TextField(_("last metadata error"), blank=True)
    metadata_attempts = models.PositiveSmallIntegerField(_("fetch attempts"), default=0)
    metadata_fetched_at = models.DateTimeField(_("metadata fetched at"), null=True, blank=True)
    metadata_kept = models.BooleanField(
        _("hand entry kept"),
        default=False,
        help_text=_(
            "An editor kept the metadata entered by hand over the source's: fetches leave it alone."
        ),
    )

    # The columns below have a database default as well, so that rows written by code older
    # than them (a rolling deploy, a migration test's historical models) are still accepted.
    # What OpenAlex knows of where the paper appeared, and of its published version.
    venue = models.CharField(_("venue"), max_length=500, blank=True, default="", db_default="")
    venue_type = models.CharField(
        _("venue type"),
        max_length=32,
        blank=True,
        default="",
        db_default="",
        help_text=_("journal, conference, …"),
    )
    published_doi = models.CharField(
        _("published version's DOI"),
        max_length=255,
        blank=True,
        default="",
        db_default="",
        help_text=_("Another DOI than arXiv's own, when the paper was published."),
    )
    openalex_id = models.CharField(
        _("OpenAlex id"), max_length=16, blank=True, default="", db_default=""
    )
    # Enrichment: the paper's affiliations asked of a source after its metadata was fetched.
    affiliations_source = models.CharField(
        _("affiliations from"),
        max_length=16,
        choices=AffiliationSource.choices,
        blank=True,
        default="",
        db_default="",
    )
    affiliations_fetched_at = models.DateTimeField(
        _("affiliations fetched at"), null=True, blank=True
    )
    affiliations_checked_at = models.DateTimeField(
        _("affiliations last asked for"), null=True, blank=True
    )
    affiliations_error = models.TextField(
        _("last affiliations error"), blank=True, default="", db_default=""
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        constraints = [
            models.UniqueConstraint(fields=["arxiv_id"], name="paper_unique_arxiv_id"),
            models.UniqueConstraint(fields=["aminer_id"], name="paper_unique_aminer_id"),
            models.UniqueConstraint(fields=["doi"], name="paper_unique_doi"),
            models.UniqueConstraint(fields=["acl_id"], name="paper_unique_acl_id"),
            models.UniqueConstraint(fields=["openreview_id"], name="paper_unique_openreview_id"),
            models.UniqueConstraint(fields=["s2_id"], name="paper_unique_s2_id"),
            models.CheckConstraint(
                condition=models.Q(arxiv_id__isnull=False)
                | models.Q(aminer_id__isnull=False)
                | models.Q(doi__isnull=False)
                | models.Q(acl_id__isnull=False)
                | models.Q(openreview_id__isnull=False)
                | models.Q(s2_id__isnull=False),
                name="paper_has_identifier",
            ),
            # An absent identifier is NULL, never "", or the unique constraints would collide.
            models.CheckConstraint(
                condition=~models.Q(arxiv_id="")
                & ~models.Q(aminer_id="")
                & ~models.Q(doi="")
                & ~models.Q(acl_id="")
                & ~models.Q(openreview_id="")
                & ~models.Q(s2_id=""),
                name="paper_identifiers_not_empty",
            ),
            # DOIs are case-insensitive: stored lower-case so the unique constraint holds.
            models.CheckConstraint(
                condition=models.Q(doi__isnull=True) | models.Q(doi=Lower("doi")),
                name="paper_doi_lowercase",
            ),
            models.CheckConstraint(
                condition=models.Q(metadata_status__in=MetadataStatus.values),
                name="paper_metadata_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["metadata_status"], name="paper_metadata_status_idx"),
            models.Index(fields=["year"], name="paper_year_idx"),
            # The catalogue's default order (the API's paper list): its first page is read off
            # this index instead of sorting the table.
            models.Index(fields=["-created_at", "-id"], name="paper_newest_idx"),
            # ?ordering=published_on / -published_on, the id breaking ties either way.
            models.Index(fields=["published_on", "id"], name="paper_published_on_idx"),
            # The enrichment sweep: papers never asked for their affiliations, or long ago.
            models.Index(fields=["affiliations_checked_at"], name="paper_affiliations_asked_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.identifier_display

    @property
    def identifier_display(self) -> str:
        if self.arxiv_id:
            return f"arXiv:{self.arxiv_id}"
        if self.aminer_id:
            return f"AMiner {self.aminer_id}"
        if self.acl_id:
            return f"ACL {self.acl_id}"
        if self.openreview_id:
            return f"OpenReview {self.openreview_id}"
        if self.doi:
            return f"doi:{self.doi}"
        return f"Semantic Scholar {self.s2_id}"

    @property
    def url(self) -> str:
        """The paper's page: arXiv first, then AMiner, the ACL Anthology, OpenReview, the DOI
        resolver, then Semantic Scholar."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.aminer_id:
            return f"https://www.aminer.cn/pub/{self.aminer_id}"
        if self.acl_id:
            return f"https://aclanthology.org/{self.acl_id}/"
        if self.openreview_id:
            return f"https://openreview.net/forum?id={self.openreview_id}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return f"https://www.semanticscholar.org/paper/{self.s2_id}"

    @property
    def pdf_link(self) -> str:
        if self.pdf_url:
            return self.pdf_url
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def has_metadata(self) -> bool:
        return self.metadata_status == MetadataStatus.OK

    @property
    def metadata_label(self) -> str:
        """Where the metadata stands, as people say it: a hand entry is not "Fetched"."""
        if self.has_metadata and self.metadata_source == MetadataSource.MANUAL:
            return str(MetadataSource.MANUAL.label)
        return str(self.get_metadata_status_display())

    @property
    def metadata_message(self) -> str:
        """Why the last fetch fell short, in the active language (``papers.faults``); an old
        row's text as it was stored; empty when nothing did."""
        return describe_fault_text(self.metadata_error)

    @property
    def affiliations_label(self) -> str:
        """Where the affiliations stand, in the reader's language: "from OpenAlex, 2 days ago",
        with the last try's error when it failed since, or the error alone, or "not yet"."""
        if self.affiliations_fetched_at:
            label = gettext("from %(source)s, %(age)s ago") % {
                "source": self.get_affiliations_source_display(),
                "age": timesince(self.affiliations_fetched_at, depth=1),
            }
            if self.affiliations_error:
                label = gettext("%(label)s; the last try: %(error)s") % {
                    "label": label,
                    "error": self.affiliations_error,
                }
            return label
        return self.affiliations_error or gettext("not yet")


class Authorship(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(_("position"))
    affiliation = models.CharField(_("affiliation"), max_length=500, blank=True)

    class Meta:
        ordering = ["paper", "position"]
        verbose_name = _("authorship")
        verbose_name_plural = _("authorships")
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "position"], name="authorship_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} #{self.position}"


class PaperInstitution(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_institutions")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="paper_institutions"
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["paper", "position"]
        verbose_name = _("paper institution")
        verbose_name_plural = _("paper institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "institution"], name="paperinstitution_unique_institution"
            ),
            models.UniqueConstraint(
                fields=["paper", "position"], name="paperinstitution_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} #{self.position}"


class MetadataEntry(models.Model):
    """A paper's metadata as a member entered it by hand: who, what and when.

    A later fetch from the source replaces the paper's fields, never this row, so a hand entry
    stays on record (``replaced_at`` says when the source's metadata took its place).
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="metadata_entries")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)
    values = models.JSONField(_("values entered"))
    previous = models.JSONField(_("values replaced"))
    kept = models.BooleanField(_("kept over the source's"), default=False)
    replaced_at = models.DateTimeField(_("replaced by a fetch"), null=True, blank=True)
    replaced_by = models.CharField(
        _("replaced from"), max_length=16, choices=MetadataSource.choices, blank=True
    )

    class Meta:
        ordering = ["-entered_at", "-id"]
        verbose_name = _("hand entry of metadata")
        verbose_name_plural = _("hand entries of metadata")

    def __str__(self) -> str:
        return f"{self.paper.identifier_display} ({self.entered_at:%Y-%m-%d %H:%M})"


class PossibleDuplicate(models.Model):
    """Two catalogue rows that may be one paper: a source's metadata for ``paper`` named an
    identifier that ``duplicate`` already holds.

    Recorded for an editor to confirm by merging the rows, never merged by the fetch itself: a
    source may link a related paper (a workshop version, a survey), and a merge moves other
    members' recommendations and issue entries, which needs an editor's capability. Merging
    either row removes the record (the merge record keeps what was merged).
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="duplicates_found")
    duplicate = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="duplicate_of")
    identifier = models.CharField(
        _("identifier found"), max_length=300, help_text=_("As the source gave it.")
    )
    source = models.CharField(_("found in"), max_length=16, choices=MetadataSource.choices)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "duplicate"], name="possibleduplicate_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(paper=models.F("duplicate")),
                name="possibleduplicate_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper.identifier_display} ≟ {self.duplicate.identifier_display}"


class PaperMerge(models.Model):
    """The record that two catalogue rows were found to be one paper and merged: the row removed,
    whole, so that nothing is lost, and what moved to the row kept.

    ``removed`` holds the removed row's fields, its authors and institutions as they were;
    ``moved`` lists the rows that now point at ``into`` (recommendations, issue entries, …), by
    the app that moved them.
    """

    into = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="merges", verbose_name=_("kept paper")
    )
    removed_id = models.PositiveIntegerField(_("removed paper's id"))
    removed_identifiers = models.JSONField(
        _("removed paper's identifiers"), help_text=_("Each identifier the removed row held.")
    )
    removed = models.JSONField(_("removed paper's data"))
    moved = models.JSONField(_("what moved"), default=dict)
    note = models.TextField(_("note"), blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("paper merge")
        verbose_name_plural = _("paper merges")

    def __str__(self) -> str:
        return f"{self.removed_id} → {self.into_id}"
