"""Factories of the people app."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory, Password

from contributors.models import User

#: Every user a factory makes signs in with this password.
TEST_PASSWORD = "pw-for-tests"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    # Hashed when the factory runs (the test settings use a fast hasher), not post-generation:
    # the row is saved once, with its password.
    password = Password(TEST_PASSWORD)
    is_active = True

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)
