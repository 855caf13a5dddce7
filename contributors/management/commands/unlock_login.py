from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contributors import services


class Command(BaseCommand):
    help = (
        "Lift the log-in lockout of members (after LOGIN_FAILURE_LIMIT failed log-ins): they may "
        "log in again at once. The admin's member list has the same action."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="username")

    def handle(self, *args: object, **options: list[str]) -> None:
        members = get_user_model().objects
        unknown = [
            name for name in options["usernames"] if not members.filter(username=name).exists()
        ]
        if unknown:
            raise CommandError(f"No member is called {', '.join(map(repr, unknown))}.")
        for name in options["usernames"]:
            remaining = services.unlock_login(members.get(username=name), by=None)
            if remaining:
                minutes = -(-remaining // 60)
                self.stdout.write(
                    self.style.SUCCESS(f"{name}: unlocked ({minutes} min of lockout were left).")
                )
            else:
                self.stdout.write(f"{name}: was not locked out; failed log-ins cleared.")
