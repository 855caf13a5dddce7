"""Publications, their teams, their style, uploads and topics."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext, ngettext

from common.exceptions import InvalidInput, InvalidTransition
from common.validators import normalise_text
from publications import signals, style
from publications.enums import AuthorStyle, LinkFormat, PublicationAction, TeamRole
from publications.models import (
    Membership,
    Publication,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
from publications.permissions import require
from publications.uploads import read_image


def create_publication(
    *, slug: str, name: str, name_zh: str = "", description: str = ""
) -> Publication:
    """A new publication, with no team yet (operators only: ``create_publication``).

    Side effects: inserts a Publication.
    """
    publication = Publication(
        slug=slug, name=name.strip(), name_zh=name_zh.strip(), description=description.strip()
    )
    try:
        publication.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None
    publication.save()
    return publication


CONTRIBUTOR = "contributor"


def grant_role(user: Any, *, role: str, publication: Publication | None, by: Any = None) -> str:
    """Make ``user`` a contributor, or a reviewer or editor of ``publication``.

    ``contributor`` is every active member's role: granting it (re)activates the account and,
    with a publication, removes the member's team role there. ``by`` is None for an operator at
    the command line, who is trusted; otherwise it must be an administrator.

    Side effects: may activate the user; inserts, updates or deletes a Membership. Returns a
    sentence describing what changed.
    """
    if by is not None:
        require(by, "publications.manage_team")
    if role not in (CONTRIBUTOR, *TeamRole.values):
        raise InvalidInput(
            f"Unknown role {role!r}: choose contributor, reviewer or editor.", field="role"
        )
    if role != CONTRIBUTOR and publication is None:
        raise InvalidInput("A reviewer or editor belongs to a publication.", field="publication")
    with transaction.atomic():
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        user.__dict__.pop("_weekly_roles", None)
        if role == CONTRIBUTOR:
            if publication is None:
                return f"{user.username} is a contributor."
            removed, _ = Membership.objects.filter(user=user, publication=publication).delete()
            suffix = " (team role removed)" if removed else ""
            return f"{user.username} is a contributor of {publication.slug}{suffix}."
        Membership.objects.update_or_create(
            user=user, publication=publication, defaults={"role": role}
        )
        return f"{user.username} is now {role} of {publication.slug}."


# --- the publication's style --------------------------------------------------------------------

#: What ``set_publication_style`` changes.
STYLE_FIELDS = (
    "author_style",
    "authors_shown",
    "authors_more",
    "institutions_shown",
    "link_order",
    "link_format",
    "sections",
    "header_template",
    "heading_about",
    "heading_papers",
    "heading_news",
    "intro_template_zh",
    "intro_template_en",
    "last_joiner_zh",
    "invitation_zh",
    "invitation_en",
    "credit_template",
    "entry_template",
    "closing",
)


def _clean_style_value(name: str, value: Any) -> Any:
    """One field of a style as it is stored, or ``InvalidInput`` naming the field and why."""
    if name == "authors_shown":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 50:
            raise InvalidInput(gettext("Show between 1 and 50 authors."), field="authors_shown")
        return number
    if name == "institutions_shown":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 50:
            raise InvalidInput(
                gettext("Show between 1 and 50 institutions."), field="institutions_shown"
            )
        return number
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    # Joiners and "et al." keep their blanks (" 等"); every other text is normalised like a
    # textarea's, so that a browser's CRLF reads as no change.
    text = text if name in ("authors_more", "last_joiner_zh") else normalise_text(text)
    try:
        if name in style.PLACEHOLDERS:
            style.check_template(text, style.PLACEHOLDERS[name])
        elif name == "link_order":
            text = ",".join(
                style.parse_list(text, style.LINK_SOURCES, what=gettext("the link's sources"))
            )
        elif name == "sections":
            text = ",".join(style.parse_list(text, style.SECTIONS, what=gettext("the sections")))
    except style.TemplateError as error:
        raise InvalidInput(f"{_label(name)}: {error}", field=name) from None
    if name == "author_style" and text not in AuthorStyle.values:
        raise InvalidInput(gettext("Choose how authors are shown from the list."), field=name)
    if name == "link_format" and text not in LinkFormat.values:
        raise InvalidInput(gettext("Choose how links are written from the list."), field=name)
    if name == "credit_template" and "{names}" not in text:
        raise InvalidInput(
            f"{_label(name)}: " + gettext("The credit line must name the contributors: {names}."),
            field=name,
        )
    limit = PublicationStyle._meta.get_field(name).max_length or 20_000
    if len(text) > limit:
        raise InvalidInput(
            f"{_label(name)}: " + gettext("at most %(limit)d characters.") % {"limit": limit},
            field=name,
        )
    return text


def _label(name: str) -> str:
    label = str(PublicationStyle._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def set_publication_style(publication: Publication, *, by: Any, **fields: Any) -> PublicationStyle:
    """Change how ``publication``'s issues are written (its editors): any of ``STYLE_FIELDS``.

    Every value is checked before anything is stored: an unknown placeholder, source or section
    is refused with the field named, and the style stays as it was. A save that changes nothing
    writes nothing.

    Side effects: inserts or updates the PublicationStyle; writes a PublicationChange naming the
    changed fields; sends ``publication_style_changed`` once committed.
    """
    require(by, "publications.edit_style", publication)
    unknown = set(fields) - set(STYLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = {name: _clean_style_value(name, value) for name, value in fields.items()}
    with transaction.atomic():
        current = PublicationStyle.objects.select_for_update().filter(publication=publication)
        row = current.first() or PublicationStyle(publication=publication)
        changed = [name for name, value in cleaned.items() if getattr(row, name) != value]
        if not changed:
            return row
        for name in changed:
            setattr(row, name, cleaned[name])
        row.save()
        PublicationChange.objects.create(
            publication=publication,
            actor=by,
            action=PublicationAction.EDIT_STYLE,
            to_status=PublicationAction.EDIT_STYLE,
            note="Changed: "
            + ", ".join(
                str(PublicationStyle._meta.get_field(name).verbose_name) for name in changed
            ),
        )
        transaction.on_commit(
            lambda: signals.publication_style_changed.send(
                sender=Publication, publication=publication
            )
        )
    publication.__dict__.pop("_style", None)
    return row


# --- its uploads --------------------------------------------------------------------------------


def upload_publication_image(
    publication: Publication, *, by: Any, data: bytes, name: str = ""
) -> PublicationUpload:
    """Keep an image for ``publication``'s texts (its editors), under a name of our own.

    The bytes say what the image is (``publications.uploads.read_image``): anything else, or
    too large a file, is refused and nothing is written.

    Side effects: writes the file under ``MEDIA_ROOT``; inserts a PublicationUpload and a
    PublicationChange.
    """
    require(by, "publications.edit_style", publication)
    kind = read_image(data)
    shown = " ".join(os.path.basename((name or "").replace("\\", "/")).split())[:200]
    upload = PublicationUpload(
        publication=publication,
        token=secrets.token_hex(16),
        extension=kind.extension,
        content_type=kind.content_type,
        name=shown,
        size=len(data),
        width=kind.width,
        height=kind.height,
        uploaded_by=by,
    )
    with transaction.atomic():
        upload.file.save("image", ContentFile(data), save=False)
        try:
            upload.save()
            PublicationChange.objects.create(
                publication=publication,
                actor=by,
                action=PublicationAction.UPLOAD,
                to_status=PublicationAction.UPLOAD,
                note=f"Uploaded {upload.file.name} ({shown or 'no name'}, {len(data)} bytes)",
            )
        except Exception:
            upload.file.delete(save=False)
            raise
    return upload


def delete_publication_image(upload: PublicationUpload, *, by: Any) -> None:
    """Remove an upload and its file (its publication's editors); texts that show it lose it.

    Side effects: deletes the PublicationUpload and its file; writes a PublicationChange.
    """
    require(by, "publications.edit_style", upload.publication)
    with transaction.atomic():
        PublicationChange.objects.create(
            publication=upload.publication,
            actor=by,
            action=PublicationAction.DELETE_UPLOAD,
            to_status=PublicationAction.DELETE_UPLOAD,
            note=f"Deleted {upload.file.name}",
        )
        name = upload.file.name
        storage = upload.file.storage
        upload.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- its topics ---------------------------------------------------------------------------------

#: What ``create_topic`` and ``update_topic`` take.
TOPIC_FIELDS = ("slug", "name_en", "name_zh", "description", "position")
#: The highest position a topic may take (a PositiveSmallIntegerField).
TOPIC_POSITION_MAX = 32767


def _topic_label(name: str) -> str:
    label = str(Topic._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _clean_topic(publication: Publication, fields: dict[str, Any], *, topic: Topic | None) -> dict:
    """The topic's fields as they are stored, or ``InvalidInput`` naming the field and why."""
    unknown = set(fields) - set(TOPIC_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "position":
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = -1
            if not 0 <= number <= TOPIC_POSITION_MAX:
                raise InvalidInput(
                    gettext("The position is a whole number from 0 to %(max)d.")
                    % {"max": TOPIC_POSITION_MAX},
                    field=name,
                )
            cleaned[name] = number
            continue
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        text = normalise_text(text) if name == "description" else " ".join(text.split())
        limit = Topic._meta.get_field(name).max_length
        if limit and len(text) > limit:
            raise InvalidInput(
                f"{_topic_label(name)}: "
                + gettext("at most %(limit)d characters.") % {"limit": limit},
                field=name,
            )
        cleaned[name] = text
    if "slug" in cleaned:
        slug = cleaned["slug"]
        try:
            validate_slug(slug)
        except ValidationError:
            raise InvalidInput(
                gettext(
                    "The slug is the topic's name in addresses: letters, digits, hyphens and "
                    "underscores only."
                ),
                field="slug",
            ) from None
        taken = Topic.objects.filter(publication=publication, slug=slug)
        if topic is not None:
            taken = taken.exclude(pk=topic.pk)
        if taken.exists():
            raise InvalidInput(
                gettext("This publication has a topic “%(slug)s” already.") % {"slug": slug},
                field="slug",
            )
    if "name_en" in cleaned and not cleaned["name_en"]:
        raise InvalidInput(gettext("Give the topic an English name."), field="name_en")
    return cleaned


def topic_uses(topic: Topic) -> int:
    """How many rows point at ``topic`` (the recommendations filed under it), counted through
    the relations the apps built on this one declared, without naming them."""
    return sum(
        relation.related_model._base_manager.filter(**{relation.field.name: topic}).count()
        for relation in Topic._meta.related_objects
    )


def _record_topic(topic: Topic, *, by: Any, action: str, note: str) -> None:
    PublicationChange.objects.create(
        publication_id=topic.publication_id, actor=by, action=action, to_status=action, note=note
    )


def create_topic(
    publication: Publication,
    *,
    by: Any,
    slug: str,
    name_en: str,
    name_zh: str = "",
    description: str = "",
    position: int | None = None,
) -> Topic:
    """A new topic of ``publication`` (its editors); without a position, it comes last.

    Side effects: inserts a Topic and a PublicationChange.
    """
    require(by, "publications.manage_topics", publication)
    given = {"slug": slug, "name_en": name_en, "name_zh": name_zh, "description": description}
    if position is not None:
        given["position"] = position
    cleaned = _clean_topic(publication, given, topic=None)
    with transaction.atomic():
        if "position" not in cleaned:
            last = publication.topics.aggregate(last=Max("position"))["last"]
            cleaned["position"] = min(TOPIC_POSITION_MAX, 10 if last is None else last + 10)
        try:
            with transaction.atomic():
                topic = Topic.objects.create(publication=publication, **cleaned)
        except IntegrityError:
            # Another editor took the slug between the check and the insert.
            raise InvalidInput(
                gettext("This publication has a topic “%(slug)s” already.")
                % {"slug": cleaned["slug"]},
                field="slug",
            ) from None
        _record_topic(
            topic, by=by, action=PublicationAction.CREATE_TOPIC, note=f"Created {topic.slug}"
        )
    return topic


def update_topic(topic: Topic, *, by: Any, **fields: Any) -> Topic:
    """Change any of ``TOPIC_FIELDS`` of ``topic`` (its publication's editors). A change of the
    position alone reorders the topics; a save that changes nothing writes nothing.

    Side effects: updates the Topic; writes a PublicationChange naming the changed fields.
    """
    require(by, "publications.manage_topics", topic.publication)
    cleaned = _clean_topic(topic.publication, fields, topic=topic)
    changed = [name for name, value in cleaned.items() if getattr(topic, name) != value]
    if not changed:
        return topic
    old_slug = topic.slug
    for name in changed:
        setattr(topic, name, cleaned[name])
    action = (
        PublicationAction.REORDER_TOPICS
        if changed == ["position"]
        else PublicationAction.EDIT_TOPIC
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                topic.save(update_fields=changed)
        except IntegrityError:
            raise InvalidInput(
                gettext("This publication has a topic “%(slug)s” already.") % {"slug": topic.slug},
                field="slug",
            ) from None
        _record_topic(
            topic,
            by=by,
            action=action,
            note=f"Changed {old_slug}: "
            + ", ".join(str(Topic._meta.get_field(name).verbose_name) for name in changed),
        )
    return topic


def delete_topic(topic: Topic, *, by: Any) -> None:
    """Remove ``topic`` (its publication's editors); refused while recommendations use it, so no
    entry loses its topic unseen.

    Side effects: deletes the Topic; writes a PublicationChange.
    """
    require(by, "publications.manage_topics", topic.publication)
    with transaction.atomic():
        used = topic_uses(topic)
        if used:
            raise InvalidTransition(
                ngettext(
                    "%(count)d recommendation uses this topic: give it another topic first.",
                    "%(count)d recommendations use this topic: give them another topic first.",
                    used,
                )
                % {"count": used}
            )
        _record_topic(
            topic,
            by=by,
            action=PublicationAction.DELETE_TOPIC,
            note=f"Deleted {topic.slug} ({topic.name_en})",
        )
        topic.delete()
