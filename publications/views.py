"""The publication's pages for its editors: its settings (the style and the uploads) and its
topics; and the uploads served to everyone under names of our own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from common.limits import accepts_one_file
from publications import selectors, services
from publications.forms import PublicationStyleForm, PublicationUploadForm, TopicForm
from publications.models import Publication, PublicationUpload, Topic
from publications.permissions import can, refusal
from publications.uploads import upload_url


class _PublicationEditorsMixin(LoginRequiredMixin):
    """A page of one publication for those who hold ``capability`` on it (its editors)."""

    capability: str

    def _publication(self, slug: str) -> Publication:
        publication = get_object_or_404(selectors.publications(), slug=slug)
        if not can(self.request.user, self.capability, publication):
            raise PermissionDenied(refusal(self.capability))
        return publication


class PublicationSettingsView(_PublicationEditorsMixin, View):
    """The style a publication's issues are written in, and its images (its editors only)."""

    capability = "publications.edit_style"

    def _page(
        self,
        request: HttpRequest,
        publication: Any,
        form: Any = None,
        upload_form: Any = None,
        status: int = 200,
    ) -> Any:
        uploads = [(u, upload_url(u)) for u in selectors.uploads_of(publication)]
        context = {
            "publication": publication,
            "form": form or PublicationStyleForm(instance=selectors.style_of(publication)),
            "upload_form": upload_form or PublicationUploadForm(),
            "uploads": uploads,
        }
        return render(request, "publications/settings.html", context, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self._page(request, self._publication(slug))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        form = PublicationStyleForm(request.POST, instance=selectors.style_of(publication))
        if form.is_valid():
            try:
                services.set_publication_style(
                    publication, by=request.user, **{n: form.cleaned_data[n] for n in form.fields}
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, _("The style is saved."))
                return redirect("publications:settings", slug=publication.slug)
        return self._page(request, publication, form=form, status=400)


@method_decorator(accepts_one_file, name="dispatch")
class PublicationUploadCreateView(PublicationSettingsView):
    """Upload an image from the settings page (the API takes it in base64)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        form = PublicationUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = services.upload_publication_image(
                    publication, by=request.user, data=form.cleaned_data["file"], name=form.name
                )
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request,
                    _("The image is uploaded: %(address)s") % {"address": upload_url(upload)},
                )
                return redirect(f"{reverse('publications:settings', args=[slug])}#uploads")
        return self._page(request, publication, upload_form=form, status=400)


class PublicationUploadDeleteView(PublicationSettingsView):
    """Remove an image: texts that show it lose it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        publication = self._publication(slug)
        upload = get_object_or_404(selectors.uploads_of(publication), pk=pk)
        services.delete_publication_image(upload, by=request.user)
        messages.success(request, _("The image is removed."))
        return redirect(f"{reverse('publications:settings', args=[slug])}#uploads")


class _TopicsMixin(_PublicationEditorsMixin):
    """The pages of a publication's topics: its editors only."""

    capability = "publications.manage_topics"

    def _topic(self, slug: str, pk: int) -> Topic:
        return get_object_or_404(selectors.topics(self._publication(slug)), pk=pk)


class PublicationTopicsView(_TopicsMixin, View):
    """A publication's topics with how many recommendations each holds, and a form to add one."""

    def _page(
        self, request: HttpRequest, publication: Publication, form: TopicForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "publication": publication,
            "topics": selectors.topics_with_uses(publication),
            "form": form,
        }
        return render(request, "publications/topics.html", context, status=status)

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self._page(request, self._publication(slug), TopicForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self._publication(slug)
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                topic = services.create_topic(publication, by=request.user, **form.service_fields())
            except WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(
                    request, _("The topic “%(name)s” is added.") % {"name": topic.name_en}
                )
                return redirect("publications:topics", slug=publication.slug)
        return self._page(request, publication, form, status=400)


class TopicEditView(_TopicsMixin, View):
    """One topic of a publication, changed by its editors."""

    def _page(
        self, request: HttpRequest, topic: Topic, form: TopicForm, status: int = 200
    ) -> HttpResponse:
        context = {"publication": topic.publication, "topic": topic, "form": form}
        return render(request, "publications/topic_edit.html", context, status=status)

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        topic = self._topic(slug, pk)
        initial = {name: getattr(topic, name) for name in services.TOPIC_FIELDS}
        return self._page(request, topic, TopicForm(initial=initial))

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        topic = self._topic(slug, pk)
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                services.update_topic(topic, by=request.user, **form.service_fields())
            except WorkflowError as error:
                add_workflow_error(form, error)
                topic.refresh_from_db()
            else:
                messages.success(
                    request, _("The topic “%(name)s” is saved.") % {"name": topic.name_en}
                )
                return redirect("publications:topics", slug=topic.publication.slug)
        return self._page(request, topic, form, status=400)


class TopicDeleteView(_TopicsMixin, View):
    """Delete a topic no recommendation uses; the list says why when one does."""

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        topic = self._topic(slug, pk)
        try:
            services.delete_topic(topic, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The topic “%(name)s” is deleted.") % {"name": topic.name_en}
            )
        return redirect("publications:topics", slug=topic.publication.slug)


class PublicationUploadView(View):
    """An uploaded image, as we stored it: our name, the type read from its bytes, never
    sniffed by the browser."""

    def get(self, request: HttpRequest, token: str, extension: str) -> HttpResponse:
        upload = PublicationUpload.objects.filter(token=token, extension=extension).first()
        if upload is None:
            raise Http404(_("There is no such image."))
        try:
            handle = upload.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("There is no such image.")) from None
        response = FileResponse(handle, content_type=upload.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "public, max-age=86400"
        return response
