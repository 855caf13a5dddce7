"""The editors' side of the inbox: its settings per publication, and the watches a worker
polls (arXiv categories and a query, each checked)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.validators import check_field, max_length
from inbox.models import InboxSettings, Watch
from publications.models import Publication
from publications.permissions import require

#: An arXiv category: an archive (``cs``, ``hep-th``, ``math``), and a subject class after a dot
#: (``cs.CL``, ``math.ST``, ``q-bio.NC``, ``astro-ph.GA``).
CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2,})?$")
MAX_CATEGORIES = 20


# --- settings -----------------------------------------------------------------------------------


def settings_for(publication: Publication) -> InboxSettings:
    """The publication's inbox settings, made with the defaults the first time they are asked
    for.

    Side effects: may insert an InboxSettings."""
    found, _created = InboxSettings.objects.get_or_create(publication=publication)
    return found


def update_inbox_settings(
    publication: Publication,
    *,
    by: Any,
    claim_days: int | None = None,
    expire_days: int | None = None,
    keep_per_poll: int | None = None,
) -> InboxSettings:
    """Change how long a claim lasts, how long a candidate waits and how many a poll keeps.

    Side effects: updates (or inserts) the publication's InboxSettings."""
    require(by, "inbox.manage_watches", publication)
    limits = {"claim_days": (1, 365), "expire_days": (1, 365), "keep_per_poll": (1, 1000)}
    given = {"claim_days": claim_days, "expire_days": expire_days, "keep_per_poll": keep_per_poll}
    changed: dict[str, int] = {}
    for name, value in given.items():
        if value is None:
            continue
        low, high = limits[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(
                gettext("Give a whole number from %(low)s to %(high)s.")
                % {"low": low, "high": high},
                field=name,
            )
        changed[name] = value
    with transaction.atomic():
        found = settings_for(publication)
        for name, value in changed.items():
            setattr(found, name, value)
        if changed:
            found.save(update_fields=[*changed, "updated_at"])
    return found


# --- watches ------------------------------------------------------------------------------------


def clean_categories(value: str) -> str:
    """arXiv categories separated by spaces (or commas), each checked, each once, in the order
    given."""
    check_field("categories", value, max_length(200))
    names = list(dict.fromkeys(value.replace(",", " ").split()))
    wrong = [name for name in names if not CATEGORY.match(name)]
    if wrong:
        raise InvalidInput(
            gettext(
                "Not an arXiv category: %(names)s. Write categories as arXiv does, e.g. cs.CL, "
                "math.ST or hep-th, separated by spaces."
            )
            % {"names": ", ".join(wrong)},
            field="categories",
        )
    if len(names) > MAX_CATEGORIES:
        raise InvalidInput(
            gettext("At most %(count)s categories, please.") % {"count": MAX_CATEGORIES},
            field="categories",
        )
    return " ".join(names)


def clean_query(value: str) -> str:
    """A query in arXiv's search syntax on one line, its parentheses and quotes balanced."""
    check_field("query", value, max_length(500))
    if "\n" in value or "\r" in value or "\t" in value:
        raise InvalidInput(gettext("Write the query on one line."), field="query")
    depth = 0
    for character in value:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            break
    if depth != 0 or value.count('"') % 2:
        raise InvalidInput(
            gettext("The query's parentheses or quotation marks are not balanced."), field="query"
        )
    return " ".join(value.split())


def save_watch(
    publication: Publication,
    *,
    by: Any,
    name: str,
    categories: str = "",
    query: str = "",
    is_active: bool = True,
    watch: Watch | None = None,
) -> Watch:
    """Add a watch to ``publication``, or change ``watch``: arXiv categories, a query, or both.

    Side effects: inserts or updates a Watch."""
    require(by, "inbox.manage_watches", publication)
    if watch is not None and watch.publication_id != publication.pk:
        raise InvalidInput(gettext("This watch belongs to another publication."))
    name = check_field("name", (name or "").strip(), max_length(100))
    if not name:
        raise InvalidInput(gettext("Give the watch a name."), field="name")
    categories = clean_categories((categories or "").strip())
    query = clean_query((query or "").strip())
    if not (categories or query):
        raise InvalidInput(gettext("Give arXiv categories, a query, or both."), field="categories")
    if watch is None:
        return Watch.objects.create(
            publication=publication,
            name=name,
            categories=categories,
            query=query,
            is_active=is_active,
            created_by=by,
        )
    watch.name, watch.categories, watch.query, watch.is_active = name, categories, query, is_active
    watch.save(update_fields=["name", "categories", "query", "is_active", "updated_at"])
    return watch


def delete_watch(watch: Watch, *, by: Any) -> None:
    """Remove a watch; the candidates it found stay, without it.

    Side effects: deletes the Watch."""
    require(by, "inbox.manage_watches", watch)
    watch.delete()
