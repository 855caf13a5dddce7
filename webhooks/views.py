"""The webhook pages of a publication's editors: its endpoints, one endpoint with its delivery
log. Thin: each finds what the user may manage (404 otherwise, 403 on a publication they do not
edit), calls one service, and turns its refusal into a form error."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from common.exceptions import NotAllowed, WorkflowError
from common.forms import add_workflow_error
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, refusal
from webhooks import selectors, services
from webhooks.forms import EndpointEditForm, EndpointForm
from webhooks.models import Endpoint

CAPABILITY = "webhooks.manage_webhooks"


class _WebhooksMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None

    def get_publication(self) -> Publication:
        publication = get_object_or_404(
            publication_selectors.publications(), slug=self.kwargs["slug"]
        )
        if not can(self.request.user, CAPABILITY, publication):
            raise PermissionDenied(refusal(CAPABILITY))
        return publication

    def get_endpoint(self) -> Endpoint:
        endpoint = selectors.endpoint_for(self.request.user, self.kwargs["pk"])
        if endpoint is None:
            raise Http404(_("No such webhook endpoint."))
        return endpoint


class EndpointListView(_WebhooksMixin, View):
    """A publication's endpoints and the form to add one; the new one's secret is shown once,
    on the page that answers the form."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.page(self.get_publication(), EndpointForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self.get_publication()
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.create_endpoint(
                    publication, by=request.user, **form.cleaned_data
                )
            except NotAllowed:
                raise
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                return self.page(publication, EndpointForm(), created=endpoint, status=201)
        return self.page(publication, form)

    def page(
        self,
        publication: Publication,
        form: EndpointForm,
        *,
        created: Endpoint | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            self.request,
            "webhooks/endpoint_list.html",
            {
                "publication": publication,
                "endpoints": list(selectors.endpoints_of(publication)),
                "form": form,
                "created": created,
            },
            status=status,
        )


class EndpointDetailView(_WebhooksMixin, View):
    """One endpoint: its settings (POST saves them) and its delivery log."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.get_endpoint()
        form = EndpointEditForm(
            initial={
                "url": endpoint.url,
                "events": endpoint.events,
                "description": endpoint.description,
                "active": endpoint.is_active,
            }
        )
        return self.page(endpoint, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.get_endpoint()
        form = EndpointEditForm(request.POST)
        if form.is_valid():
            try:
                services.update_endpoint(endpoint, by=request.user, **form.cleaned_data)
            except NotAllowed:
                raise
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("The webhook endpoint is saved."))
                return redirect("webhooks:endpoint-detail", pk=endpoint.pk)
        return self.page(endpoint, form)

    def page(self, endpoint: Endpoint, form: EndpointEditForm) -> HttpResponse:
        return render(
            self.request,
            "webhooks/endpoint_detail.html",
            {
                "endpoint": endpoint,
                "publication": endpoint.publication,
                "form": form,
                "log": list(selectors.delivery_log(endpoint)[: selectors.LOG_LENGTH]),
            },
        )


class EndpointDeleteView(_WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.get_endpoint()
        slug = endpoint.publication.slug
        services.delete_endpoint(endpoint, by=request.user)
        messages.success(request, _("The webhook endpoint is removed."))
        return redirect("webhooks:endpoint-list", slug=slug)
