"""Reading exports written by older code whose schema this code no longer has.

Migrations are append-only, so an export is normally imported by the code that wrote it, then
migrated. Two kinds of export are read here instead, each known by its schema (``data.schema()``):

- before the editorial app was split into ``publications``, ``recommendations``, ``issues`` and
  ``notifications``, the migrations were rewritten from zero (before any site was deployed), so no
  code migrates such a database. Each row is moved to the model that holds it now, and the one
  table that was cut in two, the audit trail, goes row by row to a recommendation's or an issue's
  trail;
- before topics belonged to publications, they were the catalogue's (``papers.topic``, no
  publication). Each becomes one topic per publication whose recommendations use it, and a topic
  no recommendation uses is copied to every publication, as the migration does
  (``recommendations/migrations/0004_copy_topics_to_publications.py``); every recommendation
  points at its own publication's copy.

An upgrade is a chain of steps; each takes a row and gives the rows it becomes (none while it
holds them), and gives what it held once the whole file was read (``finish``). Topics are held:
which publications use one is known only from the recommendations, which come after them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from backups.stream import DataFileError

Row = dict[str, Any]
Moved = tuple[str, Row]

#: The migrations an export of the code before the split names (``data.schema()``).
BEFORE_SPLIT = {
    "admin": ["0003_logentry_add_action_flag_choices"],
    "auth": ["0012_alter_user_first_name_max_length"],
    "authtoken": ["0004_alter_tokenproxy_options"],
    "contributors": ["0002_user_mail_language"],
    "issues": ["0007_fill_paper_search_extra"],
    "newsletter": ["0002_fill_member_mail_language"],
    "papers": ["0009_paper_search_extra"],
}

#: The migrations an export of the code before topics belonged to publications names.
BEFORE_PUBLICATION_TOPICS = {
    "admin": ["0003_logentry_add_action_flag_choices"],
    "auth": ["0012_alter_user_first_name_max_length"],
    "authtoken": ["0004_alter_tokenproxy_options"],
    "contributors": ["0002_api_token_admin"],
    "issues": ["0005_co_recommendation"],
    "newsletter": ["0005_soft_bounces"],
    "notifications": ["0003_co_credited"],
    "papers": ["0004_paper_merge"],
    "publications": ["0002_publication_style"],
    "recommendations": ["0002_entry_revisions"],
    "webhooks": ["0001_initial"],
}

#: Models that moved whole at the split: old label -> new label.
_MOVED = {
    "issues.publication": "publications.publication",
    "issues.membership": "publications.membership",
    "issues.recommendation": "recommendations.recommendation",
    "issues.review": "recommendations.review",
    "issues.notification": "notifications.notification",
}

OLD_TOPIC = "papers.topic"
TOPIC = "publications.topic"
PUBLICATION = "publications.publication"
RECOMMENDATION = "recommendations.recommendation"


def _relabelled(row: Row, label: str, fields: Row | None = None) -> Row:
    return {**row, "model": label, "fields": row["fields"] if fields is None else fields}


class _Step:
    """One change of schema; by itself, it leaves every row as it is."""

    def label(self, label: str) -> str:
        """The label rows of ``label`` move to."""
        return label

    def rows(self, label: str, row: Row) -> Iterable[Moved]:
        return [(label, row)]

    def finish(self) -> Iterable[Moved]:
        return []


class _Split(_Step):
    """From before the editorial app was split."""

    def label(self, label: str) -> str:
        # The audit trail's rows go to that of recommendations or of issues; its label is the
        # first (each row is checked again as it moves).
        return (
            "recommendations.transition"
            if label == "issues.transition"
            else _MOVED.get(label, label)
        )

    def rows(self, label: str, row: Row) -> Iterable[Moved]:
        if label != "issues.transition":
            new = _MOVED.get(label, label)
            return [(new, row if new == label else _relabelled(row, new))]
        fields = dict(row["fields"])
        if fields.get("recommendation") is not None:
            fields.pop("issue", None)
            target = "recommendations.transition"
        else:
            fields.pop("recommendation", None)
            fields.pop("changes", None)  # only edits of recommendations recorded changes
            target = "issues.issuetransition"
        return [(target, _relabelled(row, target, fields))]


class _PublicationTopics(_Step):
    """From before topics belonged to publications: each topic is held until the file's
    recommendations tell which publications use it."""

    def __init__(self) -> None:
        self.topics: dict[Any, Row] = {}
        self.publications: list[Any] = []
        #: (old topic's pk, publication's pk) -> the copy's pk.
        self.copies: dict[tuple[Any, Any], int] = {}
        self.next_pk = 0

    def label(self, label: str) -> str:
        return TOPIC if label == OLD_TOPIC else label

    def rows(self, label: str, row: Row) -> Iterable[Moved]:
        if label == OLD_TOPIC:
            self.topics[row["pk"]] = row["fields"]
            self.next_pk = max(self.next_pk, int(row["pk"]) + 1)
            return []
        if label == PUBLICATION:
            self.publications.append(row["pk"])
        elif label == RECOMMENDATION and row["fields"].get("topic") is not None:
            fields = dict(row["fields"])
            fields["topic"] = self._copy(fields["topic"], fields.get("publication"))
            row = {**row, "fields": fields}
        return [(label, row)]

    def _copy(self, topic: Any, publication: Any) -> int:
        """The pk of ``publication``'s copy of ``topic``; the first copy keeps the topic's own."""
        if topic not in self.topics:
            raise DataFileError(
                f"A recommendation names topic {topic!r}, which the file's {OLD_TOPIC} rows, "
                "listed before the recommendations, do not hold."
            )
        key = (topic, publication)
        if key not in self.copies:
            if any(old == topic for old, _publication in self.copies):
                self.copies[key] = self.next_pk
                self.next_pk += 1
            else:
                self.copies[key] = int(topic)
        return self.copies[key]

    def finish(self) -> Iterator[Moved]:
        used = {topic for topic, _publication in self.copies}
        for topic in self.topics:
            if topic not in used:
                for publication in self.publications:
                    self._copy(topic, publication)
        for (topic, publication), pk in sorted(self.copies.items(), key=lambda item: item[1]):
            fields = {**self.topics[topic], "publication": publication}
            yield TOPIC, {"model": TOPIC, "pk": pk, "fields": fields}


class Upgrade:
    """The steps from an older schema to this one, in order."""

    def __init__(self, *steps: _Step) -> None:
        self.steps = steps

    def label(self, label: str) -> str:
        """The label rows of ``label`` move to."""
        for step in self.steps:
            label = step.label(label)
        return label

    def rows(self, label: str, row: Row) -> list[Moved]:
        """What one row of the file becomes: none, one or several rows, each with its label."""
        return self._through(self.steps, [(label, row)])

    def finish(self) -> list[Moved]:
        """The rows the steps held until the whole file was read."""
        found: list[Moved] = []
        for index, step in enumerate(self.steps):
            found.extend(self._through(self.steps[index + 1 :], list(step.finish())))
        return found

    @staticmethod
    def _through(steps: Iterable[_Step], moved: list[Moved]) -> list[Moved]:
        for step in steps:
            moved = [out for label, row in moved for out in step.rows(label, row)]
        return moved


def upgrade_for(schema: Any) -> Upgrade | None:
    """How to read the rows of an export with this schema, or None if no upgrade knows it."""
    if schema == BEFORE_SPLIT:
        return Upgrade(_Split(), _PublicationTopics())
    if schema == BEFORE_PUBLICATION_TOPICS:
        return Upgrade(_PublicationTopics())
    return None
