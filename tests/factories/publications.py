"""Factories of publications and their teams."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from publications.enums import TeamRole
from publications.models import Membership, Publication
from tests.factories.contributors import UserFactory


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = Publication
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"weekly-{n}")
    name = factory.Sequence(lambda n: f"Weekly {n}")
    name_zh = factory.Sequence(lambda n: f"周刊{n}")
    approvals_required = 1


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    publication = factory.SubFactory(PublicationFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.REVIEWER
