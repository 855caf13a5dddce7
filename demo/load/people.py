"""The community: members, the publications, a team per publication, and the topics."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from demo.load import words
from demo.load.context import DAY, END, Load, LoadDataError, zipf_cum
from publications.enums import TeamRole
from publications.models import Membership, Publication, Topic

PUBLICATIONS = [
    ("pretraining-weekly", "Pretraining Weekly", "预训练周刊"),
    ("rl-weekly", "RL Weekly", "强化学习周刊"),
    ("nlp-weekly", "NLP Weekly", "自然语言处理周刊"),
    ("multimodal-weekly", "Multimodal Weekly", "多模态周刊"),
    ("ai4science-weekly", "AI for Science Weekly", "科学智能周刊"),
]


def write_people(load: Load) -> None:
    """Members, publications, their teams and the topics, in this order (the draws depend on it)."""
    _write_members(load)
    _write_publications(load)
    _write_teams(load)
    _write_topics(load)


def _write_members(load: Load) -> None:
    rng, spec = load.rng, load.spec
    user_model = get_user_model()
    count = spec.members or max(30, spec.papers // 40)
    names = set()
    users = []
    for uid in load.writer.ids(user_model, count):
        login, display = _name(load)
        username = f"{login.lower()}{uid}"
        names.add(username)
        joined = load.start + (END - load.start) * rng.random() * 0.5
        users.append(
            user_model(
                id=uid,
                username=username,
                email=f"{username}@{rng.choice(words.EMAIL_DOMAINS)}",
                password=f"!{username}",  # unusable: nobody logs in as a generated member
                display_name=display,
                affiliation=rng.choice(words.INSTITUTIONS)[0] if rng.random() < 0.7 else "",
                date_joined=joined,
                is_active=True,
            )
        )
    if user_model._base_manager.filter(username__in=names).exists():
        raise LoadDataError("Some generated user names exist already: use another --seed.")
    load.writer.insert_objects(user_model, users)
    load.users = users
    load.user_cum = zipf_cum(len(users), s=1.0, offset=5.0)


def _name(load: Load) -> tuple[str, str]:
    """A member's login stem and display name: Chinese for most, others for the rest."""
    rng = load.rng
    if rng.random() < 0.6:
        display = rng.choice(words.SURNAMES_HANZI) + "".join(
            rng.choices(words.GIVEN_HANZI, k=rng.choice((1, 2, 2)))
        )
        return f"{rng.choice(words.GIVEN_PINYIN)}{rng.choice(words.SURNAMES_PINYIN)}", display
    given, surname = rng.choice(words.GIVEN_OTHER), rng.choice(words.SURNAMES_OTHER)
    return f"{given}{surname}".replace("-", "").replace("ü", "u"), f"{given} {surname}"


def _write_publications(load: Load) -> None:
    count = load.spec.publications
    for pid, index in zip(load.writer.ids(Publication, count), range(count), strict=True):
        slug, name, name_zh = (
            PUBLICATIONS[index]
            if index < len(PUBLICATIONS)
            else (f"digest-{index + 1}", f"Digest {index + 1}", f"第{index + 1}周刊")
        )
        load.publications.append(
            Publication(
                id=pid,
                slug=slug,
                name=name,
                name_zh=name_zh,
                description=f"A weekly digest of papers, written by its community ({name}).",
                description_zh=f"{name_zh}：由社区共同撰写的每周论文精选。",
                created_at=load.start - 30 * DAY,
            )
        )
    load.writer.insert_objects(Publication, load.publications)


def _write_teams(load: Load) -> None:
    """A team per publication: two editors and six reviewers, some in several teams."""
    memberships = []
    team_size = min(8, len(load.users) - 1)
    for pub in load.publications:
        team = load.rng.sample(range(len(load.users)), team_size)
        editors, reviewers = team[:2], team[2:]
        load.editors.append(editors)
        load.reviewers.append(team)  # editors review too
        for member, role in [(m, TeamRole.EDITOR) for m in editors] + [
            (m, TeamRole.REVIEWER) for m in reviewers
        ]:
            memberships.append(
                Membership(
                    publication=pub, user=load.users[member], role=role, created_at=pub.created_at
                )
            )
    for mid, membership in zip(
        load.writer.ids(Membership, len(memberships)), memberships, strict=True
    ):
        membership.id = mid
    load.writer.insert_objects(Membership, memberships)


def _write_topics(load: Load) -> None:
    """The topics of ``words.TOPICS`` in each publication, reusing those it has already."""
    existing = {(t.publication_id, t.slug): t for t in Topic.objects.all()}
    new = [
        Topic(publication=publication, slug=slug, name_en=en, name_zh=zh, position=position)
        for publication in load.publications
        for position, (slug, en, zh) in enumerate(words.TOPICS, start=1)
        if (publication.pk, slug) not in existing
    ]
    for tid, topic in zip(load.writer.ids(Topic, len(new)), new, strict=True):
        topic.id = tid
    load.writer.insert_objects(Topic, new)
    found = {**existing, **{(t.publication_id, t.slug): t for t in new}}
    load.publication_topics = [
        [found[(publication.pk, slug)] for slug, _en, _zh in words.TOPICS]
        for publication in load.publications
    ]
    # Every publication's topics come in the same order: the plan reads the first one's.
    load.topics = load.publication_topics[0]
    load.topic_cum = zipf_cum(len(load.topics), s=0.7, offset=2.0)
