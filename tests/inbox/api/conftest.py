"""The roles the inbox's API answers: anonymous, a member, the claimant, an editor of the
publication and an editor of another publication only."""

from __future__ import annotations

from typing import Any

import pytest

from publications.enums import TeamRole
from publications.models import Publication
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def claimant(db: None) -> Any:
    """A member who claims the candidates under test: 王小明."""
    return UserFactory(username="xiaoming", display_name="王小明")


@pytest.fixture
def other_editor(other_publication: Publication) -> Any:
    """An editor of ``other_publication`` only."""
    user = UserFactory(username="other-editor")
    MembershipFactory(publication=other_publication, user=user, role=TeamRole.EDITOR)
    return user
