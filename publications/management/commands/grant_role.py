from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import WorkflowError
from publications import services
from publications.enums import TeamRole
from publications.models import Publication

ROLES = [services.CONTRIBUTOR, *TeamRole.values]


class Command(BaseCommand):
    help = (
        "Give a member a role: contributor (every member), or reviewer or editor of a "
        "publication. --publication may be left out when the site has one publication."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=ROLES)
        parser.add_argument("--publication", metavar="SLUG", help="The publication's slug.")

    def handle(self, *args: object, **options: str) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No member is called {options['username']!r}.")
        publication = self._publication(options["publication"], options["role"])
        try:
            outcome = services.grant_role(user, role=options["role"], publication=publication)
        except WorkflowError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(outcome))

    def _publication(self, slug: str | None, role: str) -> Publication | None:
        if slug:
            publication = Publication.objects.filter(slug=slug).first()
            if publication is None:
                known = ", ".join(Publication.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No publication {slug!r}. Known publications: {known}.")
            return publication
        if role == services.CONTRIBUTOR:
            return None
        publications = list(Publication.objects.all()[:2])
        if len(publications) == 1:
            return publications[0]
        if not publications:
            raise CommandError("There is no publication yet: run create_publication first.")
        raise CommandError("This site has several publications: name one with --publication.")
