"""The editors' page of a publication's inbox: its watches (each with what its last poll did),
the forms to add, change and delete one, "Poll now", and the inbox's settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from inbox import services
from inbox.forms import InboxSettingsForm, WatchForm
from inbox.models import Watch
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, refusal

CAPABILITY = "inbox.manage_watches"


@method_decorator(never_cache, name="dispatch")
class _WatchesMixin(LoginRequiredMixin, View):
    request: HttpRequest

    def get_publication(self, slug: str) -> Publication:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        if not can(self.request.user, CAPABILITY, publication):
            raise PermissionDenied(refusal(CAPABILITY))
        return publication

    def get_watch(self, slug: str, pk: int) -> Watch:
        publication = self.get_publication(slug)
        return get_object_or_404(
            Watch.objects.select_related("publication"), publication=publication, pk=pk
        )


def _settings_initial(publication: Publication) -> dict[str, Any]:
    found = services.settings_for(publication)
    return {
        "claim_days": found.claim_days,
        "expire_days": found.expire_days,
        "keep_per_poll": found.keep_per_poll,
    }


class WatchListView(_WatchesMixin):
    """The watches and the inbox settings; a POST adds a watch (``form=watch``) or saves the
    settings (``form=settings``)."""

    def _page(
        self,
        request: HttpRequest,
        publication: Publication,
        *,
        watch_form: WatchForm | None = None,
        settings_form: InboxSettingsForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "publication": publication,
            "watches": list(Watch.objects.filter(publication=publication).order_by("name", "pk")),
            "watch_form": watch_form or WatchForm(),
            "settings_form": settings_form
            or InboxSettingsForm(initial=_settings_initial(publication)),
        }
        return render(request, "inbox/watches.html", context, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self._page(request, self.get_publication(slug))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self.get_publication(slug)
        if request.POST.get("form") == "settings":
            settings_form = InboxSettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    services.update_inbox_settings(
                        publication, by=request.user, **settings_form.cleaned_data
                    )
                except WorkflowError as error:
                    add_workflow_error(settings_form, error)
                else:
                    messages.success(request, _("The inbox settings are saved."))
                    return redirect("inbox:watches", slug=publication.slug)
            return self._page(request, publication, settings_form=settings_form, status=400)
        watch_form = WatchForm(request.POST)
        if watch_form.is_valid():
            try:
                watch = services.save_watch(publication, by=request.user, **watch_form.cleaned_data)
            except WorkflowError as error:
                add_workflow_error(watch_form, error)
            else:
                messages.success(request, _("The watch “%(name)s” is added.") % {"name": watch})
                return redirect("inbox:watches", slug=publication.slug)
        return self._page(request, publication, watch_form=watch_form, status=400)


class WatchEditView(_WatchesMixin):
    def _page(
        self, request: HttpRequest, watch: Watch, form: WatchForm, status: int = 200
    ) -> HttpResponse:
        context = {"publication": watch.publication, "watch": watch, "form": form}
        return render(request, "inbox/watch_edit.html", context, status=status)

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        watch = self.get_watch(slug, pk)
        initial = {
            "name": watch.name,
            "categories": watch.categories,
            "query": watch.query,
            "is_active": watch.is_active,
        }
        return self._page(request, watch, WatchForm(initial=initial))

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        watch = self.get_watch(slug, pk)
        form = WatchForm(request.POST)
        if form.is_valid():
            try:
                services.save_watch(
                    watch.publication, by=request.user, watch=watch, **form.cleaned_data
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("The watch “%(name)s” is saved.") % {"name": watch})
                return redirect("inbox:watches", slug=slug)
        return self._page(request, watch, form, status=400)


class WatchDeleteView(_WatchesMixin):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        watch = self.get_watch(slug, pk)
        try:
            services.delete_watch(watch, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The watch “%(name)s” is deleted; the candidates it found stay.")
                % {"name": watch.name},
            )
        return redirect("inbox:watches", slug=slug)


class WatchPollView(_WatchesMixin):
    """ "Poll now": the watch is polled by a worker at once rather than at the daily round."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        watch = self.get_watch(slug, pk)
        # Imported here: the tasks module loads the polling and its client, which no page
        # but this one needs.
        from inbox import tasks

        tasks.queue_poll(watch)
        messages.success(
            request,
            _(
                "The watch “%(name)s” will be polled in a moment; reload this page to see what "
                "it found."
            )
            % {"name": watch.name},
        )
        return redirect("inbox:watches", slug=slug)
