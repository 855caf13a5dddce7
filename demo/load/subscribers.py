"""The newsletter's subscribers: confirmed mostly, some pending, a few gone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from demo.load import words
from demo.load.context import DAY, END, Load
from newsletter.enums import SubscriberStatus
from newsletter.models import Subscriber


def write_subscribers(load: Load) -> None:
    rng, spec = load.rng, load.spec
    count = spec.subscribers if spec.subscribers is not None else spec.papers // 10
    languages = [code for code, _name in settings.LANGUAGES]
    rows = []
    for sid in load.writer.ids(Subscriber, count):
        pub = load.publications[rng.randrange(len(load.publications))]
        created = load.start + (END - load.start) * rng.random()
        status = rng.choices(
            [SubscriberStatus.CONFIRMED, SubscriberStatus.PENDING,
             SubscriberStatus.UNSUBSCRIBED], [85, 10, 5],
        )[0]  # fmt: skip
        confirmed = created + dt.timedelta(minutes=rng.randint(1, 600))
        rows.append(
            load.writer.row(
                Subscriber,
                id=sid,
                publication_id=pub.id,
                # Numbered, so unique per publication whatever the draw.
                email=f"reader{sid}@{rng.choice(words.EMAIL_DOMAINS)}",
                language=rng.choice(languages),
                status=status,
                created_at=created,
                confirmation_sent_at=created,
                confirmed_at=None if status == SubscriberStatus.PENDING else confirmed,
                unsubscribed_at=(
                    confirmed + rng.uniform(1, 300) * DAY
                    if status == SubscriberStatus.UNSUBSCRIBED
                    else None
                ),
            )
        )
    load.writer.insert(Subscriber, rows)
