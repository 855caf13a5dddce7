"""Chinese (zh-hans) and English for every string of the interface.

The committed catalogue is complete and compiled, it covers every message the code marks, the
main pages read entirely in Chinese for a Chinese reader and in English for an English one, the
language switch is remembered, and mails go out in their recipient's language."""

from __future__ import annotations

import gettext
import html
import re
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from issues.models import Issue
from issues.services import create_issue, publish_issue, schedule_recommendation
from newsletter import services as newsletter_services
from notifications.services import member_language
from publications.models import Publication
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation
from recommendations.services import review_recommendation
from tests.factories import (
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.factories.newsletter import SubscriberFactory
from tests.languages import in_chinese, reverse_in

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
PO_PATH = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
ZH = "zh-hans"

#: ``%(name)s``-style placeholders, bare ``%s``/``%d`` and real HTML tags (``<id>`` in a message
#: is a word for the reader and may be translated).
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|</?(?:a|em|strong|code|br|span)\b[^>]*>")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


# ================================================================ the catalogue itself


def test_catalogue_is_complete_with_placeholders_kept() -> None:
    po = _catalogue()
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not po.metadata_is_fuzzy
    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 600
    assert [e.msgid for e in po if e.obsolete] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not e.translated()] == []
    for entry in entries:
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, entry.msgid
            translations = [entry.msgstr_plural[0]]
            # Chinese has one form for every count, so it names the plural's placeholders.
            wanted = _placeholders(entry.msgid_plural)
        else:
            translations = [entry.msgstr]
            wanted = _placeholders(entry.msgid)
        for text in translations:
            assert text.strip(), entry.msgid
            assert _placeholders(text) == wanted, (entry.msgid, text)


def test_compiled_catalogue_is_up_to_date() -> None:
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info()["plural-forms"] == "nplurals=1; plural=0;"
    for entry in _catalogue():
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for n in (1, 2, 5):
                assert (
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                    == (entry.msgstr_plural[0])
                ), entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_covers_every_marked_message(tmp_path: Path, monkeypatch: Any) -> None:
    """``makemessages`` over a copy of the sources finds no message the committed catalogue
    lacks, and none it has too many."""
    ours = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    for name in dict.fromkeys([*ours, "common", "weekly"]):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static")
        )
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    fresh = polib.pofile(str(locale / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    found = {(e.msgctxt, e.msgid) for e in fresh if not e.obsolete}
    committed = {(e.msgctxt, e.msgid) for e in _catalogue() if not e.obsolete}
    assert found - committed == set(), "run `make messages` and translate the new messages"
    assert committed - found == set(), "run `make messages`: these messages are gone"
    assert [e.msgid for e in fresh if not e.obsolete and not e.translated()] == []


def test_every_interface_message_is_translated_at_run_time() -> None:
    """The catalogue is the one Django loads: a sample of each app's messages comes out Chinese."""
    with translation.override(ZH):
        assert translation.gettext("Recommend a paper") == "推荐论文"
        assert translation.gettext("Review queue") == "审稿队列"
        assert translation.gettext("Subscribe") == "订阅"
        assert translation.gettext("Reviewer") == "审稿人"
        assert translation.ngettext("%(n)s paper", "%(n)s papers", 3) % {"n": 3} == "3 篇论文"


# ================================================================ the pages in both languages


def _english_messages() -> list[str]:
    """The English interface phrases to look for on a Chinese page: every message of the
    catalogue cut at its placeholders and tags, kept where a piece has two words or more and
    the translation differs (names like "ORCID iD" stay as they are)."""
    phrases: set[str] = set()
    for entry in _catalogue():
        if entry.obsolete or entry.msgstr == entry.msgid:
            continue
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(r"%\([a-z_]+\)[sd]|<[^>]*>|[\n“”\"]", source):
                piece = piece.strip(" .,:;…()")
                if len(piece) >= 8 and re.search(r"[A-Za-z]+ [A-Za-z]+", piece):
                    phrases.add(piece)
    return sorted(phrases)


def _visible_text(page: str) -> str:
    """What a reader sees or hears: the text outside tags and the labelling attributes, with
    scripts and styles left out."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    attributes = re.findall(r'\s(?:aria-label|placeholder|title|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


@pytest.fixture
def site(
    publication: Publication, topic: Any, contributor: Any, reviewer: Any, editor: Any
) -> dict[str, Any]:
    """One of everything the main pages show, made through the services where it matters."""
    publication.name_zh = "预训练周刊"
    publication.save()
    paper = PaperFactory(
        title="Scaling Laws Revisited",
        title_zh="再探缩放定律",
        authors=["Ada Lovelace"],
        institutions=["Analytical Engines Lab"],
    )
    published = RecommendationFactory(
        publication=publication,
        paper=paper,
        submitter=contributor,
        topic=topic,
        summary="Loss falls predictably with compute.",
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    issue = create_issue(publication, by=editor, title="Scaling")
    schedule_recommendation(published, issue=issue, by=editor)
    issue = publish_issue(issue, by=editor)
    waiting = RecommendationFactory(
        publication=publication,
        paper=PaperFactory(title="Tokenizers Considered"),
        submitter=contributor,
        summary="Tokenizers shape what a model learns.",
    )
    draft = IssueFactory(publication=publication, title="Next week")
    return {
        "publication": publication,
        "topic": topic,
        "paper": paper,
        "issue": issue,
        "waiting": waiting,
        "draft": draft,
        "contributor": contributor,
        "reviewer": reviewer,
        "editor": editor,
        # What members wrote, and the Chinese of names: data, not interface.
        "user_text": [
            "预训练周刊",
            "语言模型",
            "再探缩放定律",
            "中文",  # the language switch names each language in itself
            "张三",  # an example of a name, in the sign-up form's help
            "斯坦福",  # an example of a short form, in the correction form's help
        ],
    }


def _pages(site: dict[str, Any]) -> list[tuple[str, Any, str, str, str]]:
    """(page, who, url, an English heading or button, its Chinese) for each main page."""
    publication: Publication = site["publication"]
    issue: Issue = site["issue"]
    waiting: Recommendation = site["waiting"]
    return [
        ("home", None, reverse("issues:home"), "This week's digests", "本周各刊"),
        (
            "publication",
            None,
            reverse("issues:publication-detail", args=[publication.slug]),
            "Archive",
            "往期",
        ),
        ("issue", None, issue.get_absolute_url(), "Take this issue with you", "带走这一期"),
        (
            "paper",
            None,
            reverse("papers:paper-detail", args=[site["paper"].pk]),
            "Featured in",
            "收录于",
        ),
        ("topics", None, reverse("issues:topic-list"), "Topics", "主题"),
        (
            "topic",
            None,
            reverse(
                "issues:topic-detail",
                args=[site["topic"].publication.slug, site["topic"].slug],
            ),
            "Follow this topic",
            "关注此主题",
        ),
        (
            "contributor",
            None,
            reverse("issues:contributors-detail", args=[site["contributor"].username]),
            "Credited in",
            "署名的各期",
        ),
        ("search", None, reverse("papers:search") + "?q=scaling", "Search papers", "搜索论文"),
        ("sign up", None, reverse("contributors:signup"), "Create my account", "创建账户"),
        ("log in", None, reverse("contributors:login"), "Forgot your password?", "忘记密码？"),
        (
            "subscribe",
            None,
            reverse("newsletter:subscribe", args=[publication.slug]),
            "Subscribe",
            "订阅",
        ),
        ("profile", "contributor", reverse("contributors:profile"), "Save the profile", "保存资料"),
        ("token", "contributor", reverse("contributors:token"), "Your API token", "你的 API 令牌"),
        (
            "recommend",
            "contributor",
            reverse("recommendations:paper-create"),
            "Recommend a paper",
            "推荐论文",
        ),
        (
            "my submissions",
            "contributor",
            reverse("recommendations:list"),
            "My submissions",
            "我的投稿",
        ),
        (
            "a submission",
            "contributor",
            reverse("recommendations:detail", args=[waiting.pk]),
            "Your summary",
            "你的推荐语",
        ),
        ("review queue", "reviewer", reverse("review:queue"), "Review queue", "审稿队列"),
        (
            "review page",
            "reviewer",
            reverse("review:recommendation", args=[waiting.pk]),
            "Submit the review",
            "提交审稿意见",
        ),
        (
            "editor home",
            "editor",
            reverse("editor:home"),
            "Drafts and scheduled issues",
            "草稿和已排期的各期",
        ),
        (
            "builder",
            "editor",
            reverse("editor:issue-builder", args=[site["draft"].pk]),
            "Title and introduction",
            "标题和导语",
        ),
        (
            "correct",
            "editor",
            reverse("editor:issue-correct", args=[issue.pk]),
            "Publish the correction",
            "发布更正",
        ),
    ]


def _client_for(site: dict[str, Any], who: str | None, **defaults: str) -> Client:
    client = Client(**defaults)
    if who:
        client.force_login(site[who])
    return client


def test_main_pages_read_in_chinese(site: dict[str, Any]) -> None:
    english = _english_messages()
    assert "Recommend a paper" in english  # the list is what it claims to be
    for name, who, url, heading, chinese in _pages(site):
        client = _client_for(site, who, HTTP_ACCEPT_LANGUAGE=ZH)
        response = client.get(in_chinese(url))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="zh-hans">' in page, name
        text = _visible_text(page)
        assert chinese in text, name
        leftovers = [phrase for phrase in english if phrase in text]
        assert leftovers == [], (name, leftovers)
        assert heading not in text or heading == chinese, name


def test_main_pages_read_in_english(site: dict[str, Any]) -> None:
    for name, who, url, heading, _chinese in _pages(site):
        client = _client_for(site, who)
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="en">' in page, name
        text = _visible_text(page)
        assert heading in text, name
        for data in site["user_text"]:
            text = text.replace(data, "")
        assert _CJK.findall(text) == [], (name, _CJK.findall(text)[:20])


def test_issue_page_in_chinese_shows_both_titles_of_a_paper(site: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=ZH)
    text = _visible_text(client.get(in_chinese(site["issue"].get_absolute_url())).content.decode())
    assert "Scaling Laws Revisited" in text
    assert "再探缩放定律" in text
    assert "预训练周刊" in text  # the publication's Chinese name
    assert "语言模型" in text  # and the topic's


def test_service_refusals_reach_the_page_in_chinese(site: dict[str, Any]) -> None:
    """A message a service raises is shown in the reader's language."""
    client = _client_for(site, "contributor", HTTP_ACCEPT_LANGUAGE=ZH)
    response = client.post(
        reverse_in(ZH, "recommendations:paper-create"),
        {
            "publication": site["publication"].slug,
            "identifier": "not an id",
            "summary": "Something.",
            "action": "submit",
        },
    )
    text = _visible_text(response.content.decode())
    assert "不是可识别的论文标识符" in text
    assert "is not a paper identifier we recognise" not in text


def test_language_switch_keeps_the_page_and_is_remembered(site: dict[str, Any]) -> None:
    client = _client_for(site, "contributor")
    submissions = reverse("recommendations:list")
    assert "My submissions" in client.get(submissions).content.decode()
    response = client.post(reverse("set_language"), {"language": ZH, "next": submissions})
    # The same page, at its Chinese address.
    assert response.status_code == 302
    assert response["Location"] == in_chinese(submissions)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == ZH
    # Every later address without a language, with no Accept-Language at all, leads to Chinese.
    for url in (reverse("issues:home"), submissions, reverse("contributors:profile")):
        bare = "/" + url.removeprefix("/en/")
        response = client.get(bare)
        assert response.status_code == 302
        assert response["Location"] == in_chinese(url)
        page = client.get(response["Location"]).content.decode()
        assert '<html lang="zh-hans">' in page
        assert "我的投稿" in page
        assert "My submissions" not in page
    # The switch marks the current language and goes back to English, on the same page.
    assert 'value="zh-hans" aria-current="true"' in page
    response = client.post(
        reverse("set_language"), {"language": "en", "next": in_chinese(submissions)}
    )
    assert response["Location"] == submissions
    assert "My submissions" in client.get(submissions).content.decode()


def test_language_switch_refuses_an_unknown_language(site: dict[str, Any]) -> None:
    client = Client()
    client.post(reverse("set_language"), {"language": "xx", "next": "/en/"})
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert client.get("/")["Location"] == "/en/"


# ================================================================ mails


def test_newsletter_confirmation_is_in_the_subscribers_language(
    publication: Publication, django_capture_on_commit_callbacks: Any
) -> None:
    publication.name_zh = "预训练周刊"
    publication.save()
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_services.subscribe(publication, email="li@example.org", language=ZH)
        newsletter_services.subscribe(publication, email="jo@example.org", language="en")
    by_address = {message.to[0]: message for message in mail.outbox}
    chinese = by_address["li@example.org"]
    assert chinese.subject == "确认订阅 预训练周刊"
    assert "有人（可能是你本人）申请通过此邮箱接收 预训练周刊。" in chinese.body
    assert "Someone, probably you" not in chinese.body
    chinese_html = chinese.alternatives[0][0]
    assert '<html lang="zh-hans">' in chinese_html
    assert "确认订阅" in chinese_html
    english = by_address["jo@example.org"]
    assert english.subject == "Confirm your subscription to Pretraining Weekly"
    assert _CJK.findall(english.body) == []


def test_member_notification_is_in_the_members_language(
    publication: Publication, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A member who reads the newsletter in Chinese is told of a review in Chinese; one with no
    known language in the site's default, English."""
    publication.name_zh = "预训练周刊"
    publication.save()
    li = UserFactory(username="li", email="li@example.org", notify_by_email=True)
    jo = UserFactory(username="jo", email="jo@example.org", notify_by_email=True)
    # Where a member chooses a language today: subscribing to a newsletter at their address.
    newsletter_services.subscribe(publication, email="LI@example.org", language=ZH)
    for member in (li, jo):
        recommendation = RecommendationFactory(publication=publication, submitter=member)
        with django_capture_on_commit_callbacks(execute=True):
            review_recommendation(
                recommendation, by=reviewer, verdict=Verdict.REQUEST_CHANGES, comment="More."
            )
    by_address = {message.to[0]: message for message in mail.outbox}
    chinese = by_address["li@example.org"]
    assert chinese.subject.startswith("需修改：")
    assert "预训练周刊 的一位审稿人请你修改推荐。请编辑后重新提交。" in chinese.body
    assert "停止接收这些邮件" in chinese.alternatives[0][0]
    assert '<html lang="zh-hans">' in chinese.alternatives[0][0]
    english = by_address["jo@example.org"]
    assert english.subject.startswith("Changes requested: ")
    assert "A reviewer of Pretraining Weekly asks for changes" in english.body
    # Building a mail in another language leaves the request's language alone.
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_member_who_joins_after_subscribing_keeps_the_newsletter_language(
    publication: Publication,
) -> None:
    """The language chosen for a newsletter before joining is the new member's, as it is for a
    member who subscribes after joining; no subscription leaves it to the site's default."""
    SubscriberFactory(publication=publication, email="Wu@example.org", language=ZH)
    wu = UserFactory(username="wu", email="wu@example.org")
    jo = UserFactory(username="jo", email="jo@example.org")
    wu.refresh_from_db()
    jo.refresh_from_db()
    assert (wu.mail_language, jo.mail_language) == (ZH, "")
    assert member_language(wu) == ZH
    assert member_language(jo) == settings.LANGUAGE_CODE == "en"


def test_refusals_are_english_in_code_and_chinese_where_shown() -> None:
    from publications.permissions import REFUSALS, refusal

    assert refusal("issues.view_issue") == REFUSALS["issues.view_issue"]
    with translation.override(ZH):
        assert refusal("issues.view_issue") == "这一期尚未发布。"
