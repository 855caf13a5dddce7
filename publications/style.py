"""A publication's house style: its defaults, and the small template language of its texts.

A template is text with ``{name}`` placeholders, and ``[[…]]`` around a part that is left out
when a placeholder inside it is empty (``[[，涉及{subjects}]]``). Only the placeholders a
template offers are allowed: ``check_template`` names an unknown one, so an editor's typo is a
clear error, never a reader's ``{sujbects}``. Pure functions: the drafts (``issues.drafting``) and
the exports (``issues.exports``) render them with values they have escaped for their format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext

# --- the defaults, which reproduce the digest's layout as it was before styles ------------------

INVITATION_ZH = "周刊由社区协作完成，欢迎在站内推荐你读过的好论文，一起推动社区的分享与交流。"
INVITATION_EN = (
    "The digest is written by its community: recommend a paper you have read and liked, "
    "and share it with everyone."
)
INTRO_TEMPLATE_ZH = (
    "本期周刊，我们选择了{papers}篇论文[[，涉及{subjects}]]。"
    "[[此外，在研究动态方面，我们选择了{news}条资讯，介绍{news_titles}。]]"
)
INTRO_TEMPLATE_EN = (
    "This issue picks {papers} {papers_word}[[, on {subjects}]]."
    "[[ In research news we picked {news} {news_word}: {news_titles}.]]"
)
CREDIT_TEMPLATE = "（本期贡献者：{names}）"
HEADER_TEMPLATE = "# {title}\n\n{publication}[[ · 第 {number} 期 · {date}]]"
ENTRY_TEMPLATE = (
    "### [[{institutions} | ]]{title}[[（{title_zh}）]]\n\n"
    "[[作者：{authors}]]\n\n"
    "简介：{summary}\n\n"
    "[[代码下载：{code_url}]]\n\n"
    "论文地址：{url}"
)
HEADING_ABOUT = "## 关于周刊"
HEADING_PAPERS = "## 论文推荐"
HEADING_NEWS = "## 研究动态"

#: The sections of an issue, by the name a style lists them with.
SECTIONS = ("about", "papers", "news", "closing")
DEFAULT_SECTIONS = ",".join(SECTIONS)

#: The paper link's sources, by the name a style lists them with, in the default order.
LINK_SOURCES = ("arxiv", "aminer", "doi")
DEFAULT_LINK_ORDER = ",".join(LINK_SOURCES)

#: The placeholders each template offers.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "intro_template_zh": (
        "papers",
        "papers_word",
        "subjects",
        "news",
        "news_word",
        "news_titles",
        "news_subjects",
    ),
    "credit_template": ("names",),
    "header_template": ("title", "publication", "number", "date"),
    "entry_template": (
        "institutions",
        "title",
        "title_zh",
        "authors",
        "summary",
        "code_url",
        "url",
    ),
}
PLACEHOLDERS["intro_template_en"] = PLACEHOLDERS["intro_template_zh"]

_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PART = re.compile(r"\[\[(?P<optional>.*?)\]\]|\{(?P<name>[^{}]*)\}", re.DOTALL)


class TemplateError(ValueError):
    """A template that cannot be rendered, with the reason in the active language."""


def check_template(template: str, allowed: Sequence[str]) -> None:
    """Raise ``TemplateError`` naming what is wrong: an unknown placeholder, a brace or a
    ``[[`` without its partner, a ``[[…]]`` inside another."""
    outside = _OPTIONAL.sub(lambda m: _check_optional(m[1]), template)
    if "[[" in outside or "]]" in outside:
        raise TemplateError(gettext("Every “[[” needs its “]]”, and they cannot be nested."))
    for match in _PLACEHOLDER.finditer(template):
        if match[1] not in allowed:
            raise TemplateError(
                gettext("Unknown placeholder {%(name)s}: use %(allowed)s.")
                % {"name": match[1], "allowed": ", ".join("{" + a + "}" for a in allowed)}
            )
    if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
        raise TemplateError(gettext("A “{” or “}” has no partner: write placeholders as {name}."))


def _check_optional(part: str) -> str:
    if "[[" in part:
        raise TemplateError(gettext("Every “[[” needs its “]]”, and they cannot be nested."))
    return ""


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its placeholders filled in; a ``[[…]]`` part whose placeholders are not
    all filled is left out. The values are written as given: escape them first."""

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values.get(m[1], ""), text)

    # One pass over the template: a value is never read again as a template.
    def part(match: re.Match[str]) -> str:
        if match["optional"] is None:
            return values.get(match["name"], "")
        names = _PLACEHOLDER.findall(match["optional"])
        return fill(match["optional"]) if all(values.get(name) for name in names) else ""

    return _PART.sub(part, template)


def render_block(template: str, values: Mapping[str, str]) -> str:
    """``render`` for a template of several lines: a line that comes out empty is left out, and
    so is a blank line that would follow another."""
    lines: list[str] = []
    for line in template.splitlines():
        rendered = render(line, values).rstrip()
        if line.strip() and not rendered.strip():
            continue
        if not rendered and (not lines or not lines[-1]):
            continue
        lines.append(rendered)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def join_zh(items: Sequence[str], last: str = "、") -> str:
    """Items joined by 、, the last two by ``last`` (和, or 、 itself)."""
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + last + items[-1]


def join_en(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def parse_list(value: str, allowed: Sequence[str], *, what: str) -> list[str]:
    """A comma-separated list of names from ``allowed``, each once; ``TemplateError`` otherwise."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names or len(set(names)) != len(names):
        raise TemplateError(
            gettext("List %(what)s once each, separated by commas, from: %(allowed)s.")
            % {"what": what, "allowed": ", ".join(allowed)}
        )
    return names
