"""newsletter's data migrations, run on rows as the earlier schema held them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("newsletter", "0001_initial")]
AFTER = [("newsletter", "0003_fill_unsubscribe_keys")]


def test_subscribers_from_before_the_keys_each_get_their_own() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        publication = old.get_model("publications", "Publication").objects.create(
            slug="before-keys", name="Before keys"
        )
        Subscriber = old.get_model("newsletter", "Subscriber")
        for address in ("a@example.org", "b@example.org", "c@example.org"):
            Subscriber.objects.create(publication=publication, email=address)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(AFTER).apps
    keys = list(
        new.get_model("newsletter", "Subscriber").objects.values_list("unsubscribe_key", flat=True)
    )
    assert len(keys) == 3
    assert all(keys)
    assert len(set(keys)) == 3
