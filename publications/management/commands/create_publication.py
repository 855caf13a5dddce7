from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import WorkflowError
from publications import services


class Command(BaseCommand):
    help = "Create a publication: create_publication pretraining-weekly --name 'Pretraining Weekly'"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Short name used in URLs, e.g. pretraining-weekly.")
        parser.add_argument("--name", required=True, help="Display name.")
        parser.add_argument("--name-zh", default="", help="Chinese display name.")
        parser.add_argument("--description", default="", help="One paragraph, Markdown.")

    def handle(self, *args: object, **options: str) -> None:
        try:
            publication = services.create_publication(
                slug=options["slug"],
                name=options["name"],
                name_zh=options["name_zh"],
                description=options["description"],
            )
        except WorkflowError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Created publication {publication.slug}."))
