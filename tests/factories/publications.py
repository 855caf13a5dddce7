"""Factories of publications, their teams and topics, and images for their uploads."""

from __future__ import annotations

import struct
import zlib

import factory
from factory.django import DjangoModelFactory

from publications.enums import TeamRole
from publications.models import Membership, Publication, Topic
from tests.factories.contributors import UserFactory


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = Publication
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"weekly-{n}")
    name = factory.Sequence(lambda n: f"Weekly {n}")
    name_zh = factory.Sequence(lambda n: f"周刊{n}")
    approvals_required = 1


class TopicFactory(DjangoModelFactory):
    """A topic of a publication (a new one unless given)."""

    class Meta:
        model = Topic
        django_get_or_create = ("publication", "slug")

    publication = factory.SubFactory(PublicationFactory)
    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    name_zh = factory.Sequence(lambda n: f"主题{n}")
    position = 100


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    publication = factory.SubFactory(PublicationFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.REVIEWER


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG image of ``width`` × ``height`` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
