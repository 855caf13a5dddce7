"""Factories of the paper catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import factory
from factory.django import DjangoModelFactory

from papers.enums import MetadataSource, MetadataStatus
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Author {n}")


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Institution {n}")


class PaperFactory(DjangoModelFactory):
    """A paper with fetched metadata. ``authors=[…]`` and ``institutions=[…]`` (names) add
    ordered authorships and institutions."""

    class Meta:
        model = Paper
        skip_postgeneration_save = True

    # Valid new-style ids (January 2024, five digits from 00001), unique per test session.
    arxiv_id = factory.Sequence(lambda n: f"2401.{n + 1:05d}")
    arxiv_version = 1
    title = factory.Sequence(lambda n: f"A Study of Pretraining, Part {n}")
    abstract = "We study pretraining."
    published_on = dt.date(2024, 1, 15)
    primary_category = "cs.CL"
    categories = factory.LazyFunction(lambda: ["cs.CL"])
    metadata_status = MetadataStatus.OK
    metadata_source = MetadataSource.ARXIV

    class Params:
        pending = factory.Trait(
            title="",
            abstract="",
            metadata_status=MetadataStatus.PENDING,
            metadata_source="",
        )

    @factory.post_generation
    def authors(self, create: bool, extracted: Iterable[str] | None, **kwargs: object) -> None:
        if not (create and extracted):
            return
        for position, name in enumerate(extracted, start=1):
            Authorship.objects.create(
                paper=self, author=AuthorFactory(name=name), position=position
            )

    @factory.post_generation
    def institutions(self, create: bool, extracted: Iterable[str] | None, **kwargs: object) -> None:
        if not (create and extracted):
            return
        for position, name in enumerate(extracted, start=1):
            PaperInstitution.objects.create(
                paper=self, institution=InstitutionFactory(name=name), position=position
            )
