"""The digest's unsubscribe link: a page with a button on GET, the change on POST.

A GET changes nothing: mail scanners and link previews open links on their own. The POST takes
no CSRF token, as the newsletter's: RFC 8058 mail clients post ``List-Unsubscribe=One-Click`` to
it, and the signed link is the proof of who asks; it needs no signing in.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from common.exceptions import InvalidInput
from inbox import digest, services


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class DigestUnsubscribeView(View):
    template_name = "inbox/digest_unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=False)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=True)

    def _answer(self, request: HttpRequest, token: str, *, done: bool) -> HttpResponse:
        try:
            member, publication = digest.subscription_from_token(token)
        except InvalidInput as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        if done:
            services.unsubscribe_digest(member, publication)
        context = {"member": member, "publication": publication, "token": token, "done": done}
        return render(request, self.template_name, context)
