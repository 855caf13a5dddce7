"""People: the custom user model with its public profile.

This app knows nothing of papers or issues; roles within a publication live with the
publication (``publications.Membership``).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from contributors.validators import validate_github_username, validate_orcid


class User(AbstractUser):
    """A member of the community. Signing up makes one a contributor."""

    display_name = models.CharField(
        _("display name"),
        max_length=100,
        blank=True,
        help_text=_("How you are credited in issues, e.g. 张三 or Jane Doe."),
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    bio = models.TextField(_("bio"), max_length=2000, blank=True)
    homepage_url = models.URLField(_("homepage"), max_length=500, blank=True)
    github_username = models.CharField(
        _("GitHub user name"), max_length=39, blank=True, validators=[validate_github_username]
    )
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid])
    notify_by_email = models.BooleanField(
        _("e-mail notifications"),
        default=True,
        help_text=_("Send me an e-mail when my recommendations are reviewed or published."),
    )
    mail_language = models.CharField(
        _("language of e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        # Also the column's default: rows written by code that predates the field get it.
        db_default="",
        help_text=_("The language the site writes to the member in; blank: the site's default."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("member")
        verbose_name_plural = _("members")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def github_url(self) -> str:
        return f"https://github.com/{self.github_username}" if self.github_username else ""

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class ApiToken(TokenProxy):
    """A member's API token as the admin shows it: by its first characters only.

    DRF's token reads as its whole key, which the admin would list, name in its messages and
    write into its log (``django_admin_log``) in clear, for every staff member to read. The
    member sees their own on their token page; the admin can make or revoke one, never read it.
    """

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key[:6]}… ({self.user})"
