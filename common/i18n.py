"""The reader's language in the address: ``/zh/…`` and ``/en/…``.

Django's ``i18n_patterns`` put the language code itself in front of a path (``/zh-hans/…``);
readers share and type the short form, so each language is addressed by its code's first part
(``zh-hans`` → ``zh``). ``get_language_from_path`` already reads ``/zh/`` as ``zh-hans`` (a
generic code finds its variant), so only the prefix written and matched, and the redirect of an
address without one, differ from Django's.

An address without a language (``/search/``, shared before languages had addresses, or typed)
answers with a redirect (302, ``Vary: Accept-Language, Cookie``) to the same page in the
reader's choice: the language cookie, then ``Accept-Language``, then ``LANGUAGE_CODE``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import URLResolver, get_script_prefix, is_valid_path, translate_url
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import i18n

#: The alternate that points at the address without a language, which redirects by the
#: reader's choice (``hreflang="x-default"``).
X_DEFAULT = "x-default"


def url_prefix(language: str) -> str:
    """The path segment of ``language``: ``zh`` for ``zh-hans``, ``en`` for ``en``."""
    return language.split("-", 1)[0].lower()


def hreflang(language: str) -> str:
    """``language`` as a BCP 47 tag for ``hreflang`` and ``lang``: ``zh-Hans``, ``en``."""
    return translation.to_locale(language).replace("_", "-")


def language_of_path(path: str) -> str | None:
    """The language whose prefix ``path`` starts with, as ``LANGUAGES`` names it, or None."""
    segment = path.lstrip("/").split("/", 1)[0]
    for code, _name in settings.LANGUAGES:
        if segment == url_prefix(code):
            return code
    return None


def strip_language(path: str) -> str:
    """``path`` without its language prefix (``/zh/search/`` → ``/search/``)."""
    if language_of_path(path) is None:
        return path
    rest = path.lstrip("/").split("/", 1)
    return "/" + (rest[1] if len(rest) > 1 else "")


class LanguagePrefixPattern(LocalePrefixPattern):
    """``LocalePrefixPattern`` with the short prefix of ``url_prefix``, every language
    prefixed (the default too, so a page's address always says its language)."""

    def __init__(self) -> None:
        super().__init__(prefix_default_language=True)

    @property
    def language_prefix(self) -> str:
        return url_prefix(translation.get_language() or settings.LANGUAGE_CODE) + "/"


def language_patterns(*urls: Any) -> list[URLResolver]:
    """``i18n_patterns(*urls, prefix_default_language=True)`` with the short prefixes."""
    return [URLResolver(LanguagePrefixPattern(), list(urls))]


#: Methods whose request a redirect would lose (a browser follows a 302 with a GET).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class LanguageMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware``, whose redirect of an address without a language writes
    the short prefix. A language prefix that is not one of ours (``/zh-hans/``) is a 404.

    A POST (or any unsafe method) to a page's address without a language is answered where it
    is, in the reader's language, instead of redirected: the one-click unsubscribe of mail
    clients (``List-Unsubscribe-Post``) in mails sent before addresses had a language posts
    there, and would follow no redirect.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if request.method in SAFE_METHODS or language_of_path(request.path_info) is not None:
            return
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_valid_path(request.path_info, urlconf):
            return
        prefixed = f"/{url_prefix(translation.get_language())}{request.path_info}"
        if is_valid_path(prefixed, urlconf):
            request.path = f"{get_script_prefix().rstrip('/')}{prefixed}"
            request.path_info = prefixed

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code == 404 and language_of_path(request.path_info) is None:
            redirect = self._redirect(request)
            if redirect is not None:
                return redirect
        return super().process_response(request, response)

    def _redirect(self, request: HttpRequest) -> HttpResponse | None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        prefix = url_prefix(language)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        language_path = f"/{prefix}{request.path_info}"
        path_valid = is_valid_path(language_path, urlconf)
        needs_slash = (
            not path_valid
            and settings.APPEND_SLASH
            and not language_path.endswith("/")
            and bool(is_valid_path(f"{language_path}/", urlconf))
        )
        if not (path_valid or needs_slash):
            return None
        script_prefix = get_script_prefix()
        url = request.get_full_path(force_append_slash=needs_slash).replace(
            script_prefix, f"{script_prefix}{prefix}/", 1
        )
        # The answer depends on the cookie and Accept-Language: caches must keep one per both.
        redirect = HttpResponseRedirect(url)
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect


def translate_url_from(url: str, language: str, other: str) -> str:
    """``url``, an address in ``language``, in ``other``: the same page under its prefix
    (Django's ``translate_url`` resolves in the active language, which need not be the
    address's own)."""
    with translation.override(language):
        return translate_url(url, other)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, keeping the page: ``next`` (or the Referer) is resolved in the
    language of its own address, whatever the reader's cookie says, so ``translate_url`` finds
    it and answers the same page under the other prefix."""
    next_url = request.POST.get("next", request.GET.get("next")) or request.META.get(
        "HTTP_REFERER", ""
    )
    language = language_of_path(urlsplit(next_url).path)
    if language is None:
        return i18n.set_language(request)
    with translation.override(language):
        return i18n.set_language(request)
