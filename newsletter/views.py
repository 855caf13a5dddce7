"""The newsletter's pages: subscribe, confirm (double opt-in), unsubscribe (one click).

Links in mail only ever lead to a page with a button: a GET changes nothing, because mail
scanners and link previews open links on their own. The unsubscribe POST takes no CSRF token:
RFC 8058 mail clients post ``List-Unsubscribe=One-Click`` to it, and the signed link is the
proof of who asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from common.csrf import same_origin_form
from common.exceptions import InvalidInput
from common.throttles import ClientAddressThrottle
from newsletter import services
from newsletter.forms import SubscribeForm
from newsletter.models import Subscriber
from publications.models import Publication


class SubscribeThrottle(ClientAddressThrottle):
    """Subscription requests per client address."""

    scope = "newsletter"


# The form is on the archive and the home page, which a shared cache keeps: it carries no CSRF
# token (common.csrf).
@method_decorator(same_origin_form, name="dispatch")
class SubscribeView(View):
    template_name = "newsletter/subscribe.html"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = get_object_or_404(Publication, slug=slug)
        return self._page(request, publication, SubscribeForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = get_object_or_404(Publication, slug=slug)
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return self._page(request, publication, form, status=400)
        if not SubscribeThrottle().allow_request(request, self):
            form.add_error(None, _("Too many subscriptions from your address. Try again later."))
            return self._page(request, publication, form, status=429)
        try:
            services.subscribe(
                publication, email=form.cleaned_data["email"], language=get_language() or "en"
            )
        except InvalidInput as error:
            form.add_error("email" if error.field == "email" else None, error.message)
            return self._page(request, publication, form, status=400)
        return self._page(
            request, publication, None, sent_to=form.cleaned_data["email"], status=200
        )

    def _page(
        self,
        request: HttpRequest,
        publication: Publication,
        form: SubscribeForm | None,
        *,
        sent_to: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "publication": publication,
            "form": form,
            "sent_to": sent_to,
            "max_age_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
        }
        return render(request, self.template_name, context, status=status)


class SignedLinkView(View):
    """A link from a mail: GET shows what the button will do, POST does it. A bad link gets its
    reason with a 400, and nothing changes."""

    template_name: str
    #: The service naming the subscriber of a token, and the one acting on it.
    find: Callable[[str], Subscriber]
    act: Callable[[str], Subscriber]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, type(self).find, token, done=False)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, type(self).act, token, done=True)

    def _answer(
        self, request: HttpRequest, service: Callable[[str], Subscriber], token: str, *, done: bool
    ) -> HttpResponse:
        try:
            subscriber = service(token)
        except InvalidInput as error:
            return render(request, self.template_name, {"error": error.message}, status=400)
        context = {"subscriber": subscriber, "token": token, "done": done}
        return render(request, self.template_name, context)


class ConfirmView(SignedLinkView):
    """The confirmation link of the double opt-in: a page whose button confirms."""

    template_name = "newsletter/confirm.html"
    find = staticmethod(services.subscriber_from_confirmation_token)
    act = staticmethod(services.confirm_subscription)


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(SignedLinkView):
    """The unsubscribe link of every issue: a page with a button, and the one-click POST."""

    template_name = "newsletter/unsubscribe.html"
    find = staticmethod(services.subscriber_from_unsubscribe_token)
    act = staticmethod(services.unsubscribe)


@csrf_exempt
def mailgun_webhook(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Mailgun's bounce and complaint events (``/newsletter/webhooks/mailgun/``).

    django-anymail checks the signature of each call against ``MAILGUN_WEBHOOK_SIGNING_KEY``
    (a wrong one answers 400) and sends the events as its ``tracking`` signal, which
    ``newsletter.receivers.suppress_bounced_address`` hears. Without a key the site takes no
    webhook: 404.
    """
    if not settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404
    from anymail.webhooks.mailgun import MailgunTrackingWebhookView

    return MailgunTrackingWebhookView.as_view()(request, *args, **kwargs)
