"""Members' pages reached from e-mail: turning notifications off in one click."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from contributors import services


@method_decorator(csrf_exempt, name="dispatch")
class NotificationsOffView(View):
    """The "stop these e-mails" link: a page with a button (a GET changes nothing), and the
    one-click POST of mail clients (``List-Unsubscribe-Post``), which carries no CSRF token: the
    signed link is the proof of who asks."""

    template_name = "contributors/notifications_off.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=False)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=True)

    def _answer(self, request: HttpRequest, token: str, *, done: bool) -> HttpResponse:
        try:
            member = services.member_from_notifications_off_token(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": error.messages[0]}, status=400)
        if done:
            services.turn_off_notifications(member)
        return render(request, self.template_name, {"member": member, "done": done})
