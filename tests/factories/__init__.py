"""factory_boy factories for every model the tests build. They write state directly; tests of a
transition go through the service that performs it."""

from tests.factories.contributors import TEST_PASSWORD, UserFactory
from tests.factories.issues import IssueEntryFactory, IssueFactory
from tests.factories.newsletter import SubscriberFactory
from tests.factories.papers import AuthorFactory, InstitutionFactory, PaperFactory
from tests.factories.publications import MembershipFactory, PublicationFactory, TopicFactory
from tests.factories.recommendations import RecommendationFactory, ReviewFactory

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
