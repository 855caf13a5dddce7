"""A site with a bit of everything, built through the services, for the backup tests; and a
snapshot of every row, to compare a database before and after a round trip."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.test import TestCase

from contributors import services as members
from issues.models import Issue
from issues.services import (
    assemble_issue,
    claim_credited_name,
    confirm_credited_name,
    correct_issue,
    create_issue,
    import_issue,
    publish_issue,
)
from newsletter import services as newsletter
from papers.enums import MetadataStatus
from papers.identifiers import parse_identifier
from papers.models import Paper, PossibleDuplicate
from papers.services import AuthorData, PaperMetadata, enter_metadata_by_hand, get_or_create_paper
from papers.services.institutions import name_institution
from papers.services.merging import absorb_paper
from publications.enums import TeamRole
from publications.models import Publication
from publications.services import (
    create_publication,
    grant_role,
    set_publication_style,
    upload_publication_image,
)
from recommendations.enums import Verdict
from recommendations.models import Recommendation
from recommendations.services import (
    create_recommendation,
    review_recommendation,
    withdraw_recommendation,
)
from tests.factories import PaperFactory
from tests.factories.drafting import drafting_rows
from tests.factories.inbox import inbox_rows
from tests.factories.publications import png_bytes
from webhooks.models import Endpoint
from webhooks.services import create_endpoint

#: Text that trips careless encoders: Chinese, astral-plane emoji and letters, a zero-width
#: joiner, combining accents, right-to-left script, the separators JSON allows raw but JavaScript
#: does not, a byte order mark, quotes, backslashes and markup.
ODD = (
    "预训练周刊 🧪👩\u200d🔬 Zoë e\u0301 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 مرحبا \u2028\u2029 \ufeff "
    '"quoted" back\\slash <b>&amp;</b> \' ]]>'
)

#: Rebuilt by ``migrate`` or left out on purpose (sessions): the export leaves these alone.
NOT_EXPORTED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def build_site() -> dict[str, Any]:
    """Fill the database; every exported model gets rows. Returns a few of them by name."""
    # Tasks run in-process; what services leave for after the commit (notifications, the
    # newsletter) runs here too, as it would in production.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    user_model = apps.get_model("contributors", "User")
    editor = user_model.objects.get(username="editor")
    reviewer = user_model.objects.get(username="reviewer")
    contributor = user_model.objects.get(username="contributor")
    odd = members.create_member(
        username="zhang.san",
        email="zhang.san@example.org",
        password="a long passphrase 长密码",
        display_name="张三 🧪",
        affiliation="清华大学 · Zoë's lab",
        bio=ODD,
        homepage_url="https://example.org/~zhang/数据",
        orcid="0000-0002-1825-0097",
    )
    members.get_api_token(editor)
    members.get_api_token(odd)

    # Django's own tables: a group with a permission, a member with one, an admin log line.
    moderators = Group.objects.create(name="Moderators 版主")
    change_paper = Permission.objects.get(codename="change_paper", content_type__app_label="papers")
    moderators.permissions.add(change_paper)
    editor.groups.add(moderators)
    editor.user_permissions.add(
        Permission.objects.get(codename="view_issue", content_type__app_label="issues")
    )
    LogEntry.objects.log_actions(
        editor.pk,
        user_model.objects.filter(pk=odd.pk),
        CHANGE,
        change_message=[{"changed": {"fields": ["Bio"]}}],
        single_object=True,
    )

    rl = create_publication(
        slug="rl-weekly", name="RL Weekly", name_zh="强化学习周刊", description=ODD
    )
    grant_role(editor, role=TeamRole.EDITOR, publication=rl)
    grant_role(reviewer, role=TeamRole.REVIEWER, publication=rl)
    # Its own style, with an image (the export keeps the row; the file stays in MEDIA_ROOT).
    set_publication_style(rl, by=editor, authors_shown=2, closing=ODD)
    upload_publication_image(rl, by=editor, data=png_bytes(), name=ODD[:40])

    with TestCase.captureOnCommitCallbacks(execute=True):
        readers = [
            newsletter.subscribe(rl, email=address, language=language)
            for address, language in [
                ("reader@example.org", "en"),
                ("duzhe@例子.中国", "zh-hans"),
                ("gone@example.org", "en"),
                ("waiting@example.org", "en"),
            ]
        ]
    for reader in readers[:3]:
        newsletter.confirm_subscription(newsletter.confirmation_token(reader))
    newsletter.unsubscribe_subscriber(readers[2])
    newsletter.suppress_address(
        "gone@example.org", reason="bounce", source="smtp", detail="550 5.1.1 No such user"
    )
    newsletter.record_soft_bounce(
        "waiting@example.org", message="issue:1", source="smtp", detail="452 4.2.2 Over quota"
    )

    # A paper with Unicode metadata and a failed one (its fetch gave up).
    paper, _created = get_or_create_paper(parse_identifier("2203.15556"))
    enter_metadata_by_hand(
        paper,
        PaperMetadata(
            title=f"Training Compute-Optimal Large Language Models {ODD}",
            authors=[AuthorData("Jordan Hoffmann"), AuthorData("Łukasz 王")],
            institutions=["DeepMind", "北京大学"],
            published_on=dt.date(2022, 3, 29),
            primary_category="cs.CL",
            categories=["cs.CL", "cs.LG"],
            pdf_url="https://arxiv.org/pdf/2203.15556",
        ),
        by=editor,
        keep=True,
    )
    PaperFactory(
        arxiv_id="2401.99999",
        title="",
        metadata_status=MetadataStatus.FAILED,
        metadata_error="arXiv answered 503 three times; gave up. 服务不可用",
        metadata_attempts=3,
    )
    # A paper known by its ACL Anthology id and its DOI, and none of arXiv's.
    PaperFactory(
        arxiv_id=None,
        acl_id="2022.acl-long.123",
        doi="10.18653/v1/2022.acl-long.123",
        title=f"Anthology {ODD}",
    )
    # And one known by its OpenReview forum and its Semantic Scholar page.
    PaperFactory(
        arxiv_id=None,
        openreview_id="rJl-b3RcF7",
        s2_id="354dcdebf3f8b5feeed5c62090e0bc1f0c28db06",
        title=f"Forum {ODD}",
    )

    # An endpoint whose address went to a documentation range: each call is logged, refused.
    endpoint = create_endpoint(
        rl, by=editor, url="https://hooks.example.org/周刊", events=["issue.published"]
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(url="https://192.0.2.1/hook")

    with TestCase.captureOnCommitCallbacks(execute=True):
        chosen = create_recommendation(
            by=odd,
            publication=rl,
            identifier="arXiv:2203.15556",
            title_zh="训练计算最优的大语言模型",
            summary=f"**Chinchilla**: {ODD}",
        )
        review_recommendation(chosen, by=reviewer, verdict=Verdict.APPROVE, comment=ODD)
        news = create_recommendation(
            by=contributor,
            publication=rl,
            kind="news",
            news_title="研究动态：新的基准",
            news_url="https://example.org/news?id=1&lang=zh",
            summary="A benchmark.",
        )
        review_recommendation(news, by=reviewer, verdict=Verdict.APPROVE)
        rejected = create_recommendation(
            by=contributor, publication=rl, identifier="1706.03762", summary="Again."
        )
        review_recommendation(
            rejected, by=reviewer, verdict=Verdict.REJECT, comment="已经推荐过了。"
        )
        withdrawn = create_recommendation(
            by=odd, publication=rl, identifier="1810.04805", summary="Second thoughts."
        )
        withdraw_recommendation(withdrawn, by=odd, note="撤回")
        # A second member recommends the same paper: credited on its one entry.
        also = create_recommendation(
            by=contributor,
            publication=rl,
            identifier="https://arxiv.org/abs/2203.15556v2",
            summary=f"我也推荐。{ODD}",
        )
        review_recommendation(also, by=reviewer, verdict=Verdict.APPROVE)
        issue = create_issue(rl, by=editor, title=f"第 1 期 {ODD}", intro_zh="本期…")
        assemble_issue(issue, by=editor)
        publish_issue(issue, by=editor)
    entry = issue.entries.get(recommendation=chosen)
    correct_issue(
        issue,
        by=editor,
        note="更正：作者名拼写。",
        fields={"title": "第 1 期：Chinchilla"},
        entries={entry.pk: {"shown_authors": "Jordan Hoffmann, Łukasz 王 (corrected)"}},
    )
    # A past issue imported from its text, in odd text, its institutions cut short (等), one name
    # it credits claimed and confirmed.
    past = (
        f"往期 {ODD}\n\n论文推荐\n\n标题：奇怪实验室等 | Odd Title（{ODD}）\n作者：A. Author\n"
        f"简介：{ODD}\n论文地址：https://www.aminer.cn/pub/5f0e8b2d9e795ea8c3a5d1ba\n\n"
        "（本期贡献者：甲乙 丙丁）\n"
    )
    imported = import_issue(rl, past, by=editor, number=90, date=dt.date(2021, 10, 1)).issue
    credited = imported.credited_names.get(name="甲乙")
    claim_credited_name(credited, by=odd)
    confirm_credited_name(credited, by=editor)
    # An institution named in the glossary by an editor, in odd text.
    odd_lab = PaperFactory(arxiv_id="2401.99998", institutions=[f"Lab {ODD[:40]}"])
    name_institution(
        odd_lab.paper_institutions.get().institution,
        by=editor,
        short_zh="奇怪实验室 🧪",
        short_en="Odd Lab",
    )
    # One paper under two rows, merged.
    twins = [
        PaperFactory(arxiv_id=None, aminer_id=f"5f0e8b2d9e795ea8c3a5d1b{n}", title=f"Twin {ODD}")
        for n in range(2)
    ]
    absorb_paper(twins[0], twins[1], by=editor, moved={}, note=ODD)
    # A paper a source linked to the failed one: a possible duplicate for an editor to confirm.
    PossibleDuplicate.objects.create(
        paper=PaperFactory(
            arxiv_id=None, aminer_id="5f0e8b2d9e795ea8c3a5d1bf", title=f"Twin {ODD}"
        ),
        duplicate=Paper.objects.get(arxiv_id="2401.99999"),
        identifier="arXiv:2401.99999",
        source="aminer",
    )
    drafting_rows(rl, chosen.paper, editor=editor)
    inbox_rows(rl, editor=editor, member=odd)
    return {
        "editor": editor,
        "member": odd,
        "publication": rl,
        "issue": Issue.objects.get(pk=issue.pk),
        "rejected": Recommendation.objects.get(pk=rejected.pk),
        "publications": Publication.objects.count(),
    }


def exported_labels() -> set[str]:
    """Every model with a table of its own, but the ones the export leaves out: decided here,
    apart from the code under test, so a model it forgets fails the tests."""
    return {
        model._meta.label_lower
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    } - NOT_EXPORTED


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every exported model, field by field, in id order. Content types and
    permissions, which ``migrate`` numbers anew, are named by their natural keys."""
    state: dict[str, list[dict[str, Any]]] = {}
    for label in sorted(exported_labels()):
        model = apps.get_model(label)
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {f.attname: _value(obj, f) for f in model._meta.concrete_fields}
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(_key(related) for related in getattr(obj, m2m.name).all())
            rows.append(row)
        state[label] = rows
    return state


def _value(obj: Model, field: Any) -> Any:
    if field.is_relation and field.related_model is ContentType:
        target = getattr(obj, field.name)
        return target.natural_key() if target else None
    return getattr(obj, field.attname)


def _key(obj: Model) -> Any:
    if isinstance(obj, Permission):
        return obj.natural_key()
    return obj.pk


def flush_content() -> None:
    """Empty every table, as a new database is after ``migrate``, from inside a test's
    transaction. That transaction holds deferred foreign key checks, and PostgreSQL truncates no
    table with checks pending: they run first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("flush", interactive=False, verbosity=0)
