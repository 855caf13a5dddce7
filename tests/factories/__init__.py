"""factory_boy factories for every model the tests build. They write state directly; tests of a
transition go through the service that performs it."""

from tests.factories.contributors import TEST_PASSWORD, UserFactory
from tests.factories.issues import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PublicationFactory,
    RecommendationFactory,
    ReviewFactory,
)
from tests.factories.newsletter import SubscriberFactory
from tests.factories.papers import (
    AuthorFactory,
    InstitutionFactory,
    PaperFactory,
    TopicFactory,
)

__all__ = [
    "TEST_PASSWORD",
    "AuthorFactory",
    "InstitutionFactory",
    "IssueEntryFactory",
    "IssueFactory",
    "MembershipFactory",
    "PaperFactory",
    "PublicationFactory",
    "RecommendationFactory",
    "ReviewFactory",
    "SubscriberFactory",
    "TopicFactory",
    "UserFactory",
]
