"""recommendations' data migrations, run on rows as the earlier schema held them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

#: Topics were the catalogue's, one for every publication.
BEFORE = [
    ("papers", "0004_paper_merge"),
    ("publications", "0002_publication_style"),
    ("recommendations", "0002_entry_revisions"),
]
AFTER = [("recommendations", "0005_recommendation_topic_of_publication")]


def test_each_topic_becomes_one_per_publication_that_uses_it() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Publication = old.get_model("publications", "Publication")
        ml = Publication.objects.create(slug="ml", name="ML Weekly")
        rl = Publication.objects.create(slug="rl", name="RL Weekly")
        idle = Publication.objects.create(slug="idle", name="Idle Weekly")
        old_topics = old.get_model("papers", "Topic")
        shared = old_topics.objects.create(
            slug="agents", name_en="Agents", name_zh="智能体", description="Acting.", position=3
        )
        lonely = old_topics.objects.create(slug="vision", name_en="Vision", position=1)
        unused = old_topics.objects.create(slug="audio", name_en="Audio", position=2)
        user = old.get_model("contributors", "User").objects.create(username="ada")
        paper = old.get_model("papers", "Paper").objects.create(arxiv_id="2401.00001")
        Recommendation = old.get_model("recommendations", "Recommendation")

        def recommend(publication, topic):
            return Recommendation.objects.create(
                publication=publication, paper=paper, submitter=user, topic=topic, summary="s"
            ).pk

        in_ml, in_rl, also_ml = recommend(ml, shared), recommend(rl, shared), recommend(ml, lonely)
        untopical = recommend(rl, None)
        assert unused.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    new = executor.loader.project_state(AFTER).apps
    Topic = new.get_model("publications", "Topic")
    copies = {
        (t.publication.slug, t.slug): (t.name_en, t.name_zh, t.description, t.position)
        for t in Topic.objects.select_related("publication")
    }
    assert copies == {
        ("ml", "agents"): ("Agents", "智能体", "Acting.", 3),
        ("rl", "agents"): ("Agents", "智能体", "Acting.", 3),
        ("ml", "vision"): ("Vision", "", "", 1),
        ("ml", "audio"): ("Audio", "", "", 2),
        ("rl", "audio"): ("Audio", "", "", 2),
        ("idle", "audio"): ("Audio", "", "", 2),
    }
    assert idle.pk
    Recommendation = new.get_model("recommendations", "Recommendation")
    topics = {
        r.pk: (r.topic.publication_id, r.topic.slug) if r.topic else None
        for r in Recommendation.objects.select_related("topic")
    }
    assert topics == {
        in_ml: (ml.pk, "agents"),
        in_rl: (rl.pk, "agents"),
        also_ml: (ml.pk, "vision"),
        untopical: None,
    }


def test_the_topics_go_back_to_the_catalogue_one_per_slug() -> None:
    executor = MigrationExecutor(connection)
    new = executor.loader.project_state(AFTER).apps
    Publication = new.get_model("publications", "Publication")
    ml = Publication.objects.create(slug="ml", name="ML Weekly")
    rl = Publication.objects.create(slug="rl", name="RL Weekly")
    Topic = new.get_model("publications", "Topic")
    ml_agents = Topic.objects.create(publication=ml, slug="agents", name_en="Agents")
    rl_agents = Topic.objects.create(publication=rl, slug="agents", name_en="Agents (RL)")
    user = new.get_model("contributors", "User").objects.create(username="ada")
    paper = new.get_model("papers", "Paper").objects.create(arxiv_id="2401.00002")
    Recommendation = new.get_model("recommendations", "Recommendation")
    pks = [
        Recommendation.objects.create(
            publication=topic.publication, paper=paper, submitter=user, topic=topic, summary="s"
        ).pk
        for topic in (ml_agents, rl_agents)
    ]
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        catalogue = list(old.get_model("papers", "Topic").objects.values_list("slug", "name_en"))
        topics = set(
            old.get_model("recommendations", "Recommendation")
            .objects.filter(pk__in=pks)
            .values_list("topic__slug", flat=True)
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert catalogue == [("agents", "Agents")]
    assert topics == {"agents"}
