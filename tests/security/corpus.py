"""A corpus of hostile input, written for this project: what a careless or malicious member, a
bot, or a compromised metadata source may send to a form, a query string or the API.

Every value is named and grouped, so a failure says which value broke which field. The groups:

* ``identifier``: malformed arXiv ids, DOIs and AMiner links, path traversal, URL schemes that
  run code (``javascript:``, ``data:``, ``vbscript:``);
* ``oversized``: at and just over each field's limit, and one megabyte;
* ``control``: NUL, C0 and C1 controls, lone surrogates, U+2028/2029, bidi overrides,
  zero-width characters, U+FFFE/U+FFFF;
* ``html``: markup and script in every shape a text field may be shown in: element bodies,
  attributes, ``<textarea>``, SVG and MathML, templates, Markdown links and images;
* ``unicode``: combining marks, right-to-left text, emoji, normalisation variants;
* ``sql``: strings that look like SQL or like other injection languages;
* ``wrong_type``: JSON values of the wrong type (numbers, lists, objects, null, booleans,
  huge integers), and the ``NaN``/``Infinity`` literals that are no JSON at all (``RAW_JSON``).

A form (``application/x-www-form-urlencoded``) carries only text, so the form tests send the
text values (``texts()``); the API tests send everything (``values()``), and ``RAW_JSON`` as
bodies written by hand. Every value goes into the key fields (one or more per kind of validation:
identifiers, summaries, titles, links, names, numbers, dates...); the other fields get
``sample()``, unless ``HOSTILE_FULL=1`` asks for every value everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The limits of the text fields the site accepts (forms, API and services agree on these).
FIELD_LIMITS = {
    "username": 150,
    "display_name": 100,
    "affiliation": 200,
    "bio": 2000,
    "email": 254,
    "link": 500,
    "identifier": 2048,
    "title": 300,
    "title_zh": 500,
    "summary": 10_000,
    "summary_input": 20_000,
    "comment": 5000,
    "note": 2000,
    "credits": 1000,
    "intro": 20_000,
    "search": 200,
    "slug": 80,
}

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Bad:
    """One hostile value: its group, a name saying what it is, and the value itself."""

    group: str
    name: str
    value: Any

    @property
    def label(self) -> str:
        return f"{self.group}/{self.name}"

    def __str__(self) -> str:
        return self.label


def _group(group: str, values: dict[str, Any]) -> list[Bad]:
    return [Bad(group, name, value) for name, value in values.items()]


# --- malformed identifiers, traversal, schemes --------------------------------------------------

IDENTIFIERS = _group(
    "identifier",
    {
        "arxiv-three-digits": "2109.081",
        "arxiv-six-digits": "2109.081330",
        "arxiv-month-13": "2113.08133",
        "arxiv-letters": "2109.0813a",
        "arxiv-version-zero": "2109.08133v",
        "arxiv-version-letters": "2109.08133vX",
        "arxiv-double-prefix": "arXiv:arXiv:2109.08133",
        "arxiv-prefix-only": "arXiv:",
        "arxiv-space-inside": "2109. 08133",
        "arxiv-fullwidth-digits": "２１０９.０８１３３",
        "arxiv-arabic-digits": "٢١٠٩.٠٨١٣٣",
        "arxiv-old-style-bad-archive": "not-an-archive/9901001",
        "arxiv-old-style-short": "hep-th/99010",
        "arxiv-two-ids": "2109.08133,2109.08134",
        "arxiv-id-list-injection": "2109.08133&max_results=100000",
        "arxiv-query-injection": "2109.08133 OR ti:*",
        "arxiv-url-other-host": "https://arxiv.org.evil.example/abs/2109.08133",
        "arxiv-url-userinfo": "https://arxiv.org@evil.example/abs/2109.08133",
        "arxiv-url-no-id": "https://arxiv.org/abs/",
        "arxiv-url-list": "https://arxiv.org/list/cs.CL/recent",
        "arxiv-url-ftp": "ftp://arxiv.org/abs/2109.08133",
        "doi-not-arxiv": "10.1145/3442188.3445922",
        "doi-prefix-only": "10.48550/",
        "doi-bad-registrant": "10.4855/arXiv.2109.08133",
        "doi-url-bad": "https://doi.org/10.48550/arXiv.",
        "aminer-23-hex": "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5",
        "aminer-25-hex": "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c0",
        "aminer-not-hex": "https://www.aminer.cn/pub/614407b25244ab9dcbd29zzz",
        "aminer-other-host": "https://aminer.cn.evil.example/pub/614407b25244ab9dcbd29c5c",
        "aminer-profile": "https://www.aminer.cn/profile/53f46a3edabfaee43ed05f08",
        "aminer-bare-hex": "614407b25244ab9dcbd29c5c",
        "path-traversal": "../../../../etc/passwd",
        "path-traversal-encoded": "..%2f..%2f..%2fetc%2fpasswd",
        "path-traversal-windows": "..\\..\\windows\\win.ini",
        "path-traversal-in-url": "https://arxiv.org/abs/../../etc/passwd",
        "file-url": "file:///etc/passwd",
        "javascript-url": "javascript:alert(document.cookie)",
        "javascript-url-mixed-case": "JaVaScRiPt:alert(1)",
        "javascript-url-tab": "java\tscript:alert(1)",
        "javascript-url-entity": "javascript&colon;alert(1)",
        "javascript-url-leading-space": " javascript:alert(1)",
        "data-url-html": "data:text/html,<script>alert(1)</script>",
        "data-url-base64": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript-url": "vbscript:msgbox(1)",
        "protocol-relative": "//evil.example/abs/2109.08133",
        "internal-host": "http://127.0.0.1:6379/",
        "metadata-host": "http://169.254.169.254/latest/meta-data/",
        "url-without-host": "https://",
        "url-with-spaces": "https://example.org/a b",
        "mailto": "mailto:someone@example.org",
    },
)


# --- oversized ----------------------------------------------------------------------------------


def _oversized() -> list[Bad]:
    values: dict[str, str] = {}
    fields_by_limit: dict[int, list[str]] = {}
    for field, limit in FIELD_LIMITS.items():
        fields_by_limit.setdefault(limit, []).append(field)
    for limit, fields in sorted(fields_by_limit.items()):
        name = "+".join(fields)
        values[f"{name}-at-limit"] = "a" * limit
        values[f"{name}-over-limit"] = "a" * (limit + 1)
    values["words-over-summary"] = "word " * 4001
    values["cjk-over-title-zh"] = "长" * 501
    values["emoji-over-title"] = "📄" * 301
    values["one-megabyte"] = "x" * MEGABYTE
    values["long-url"] = "https://example.org/" + "a" * 600
    values["long-arxiv-url"] = "https://arxiv.org/abs/2109.08133?" + "q=1&" * 600
    return _group("oversized", values)


OVERSIZED = _oversized()


# --- control and invisible characters -----------------------------------------------------------

CONTROL = _group(
    "control",
    {
        "nul": "before\x00after",
        "nul-only": "\x00",
        "nul-leading": "\x002109.08133",
        "nul-trailing": "2109.08133\x00",
        "soh": "a\x01b",
        "bell": "ring\x07ring",
        "backspace": "back\x08space",
        "vertical-tab": "a\x0bb",
        "form-feed": "a\x0cb",
        "escape-ansi": "\x1b[31mred\x1b[0m",
        "unit-separator": "a\x1fb",
        "delete": "a\x7fb",
        "c1-nel": "a\x85b",
        "c1-csi": "a\x9bb",
        "c1-all": "".join(chr(c) for c in range(0x80, 0xA0)),
        "c0-all": "".join(chr(c) for c in range(0x00, 0x20)),
        "crlf-header-injection": "Subject\r\nBcc: victim@example.org",
        "lone-cr": "one\rtwo",
        "lone-lf": "one\ntwo",
        "line-separator": "one\u2028two",
        "paragraph-separator": "one\u2029two",
        "lone-high-surrogate": "a\ud800b",
        "lone-low-surrogate": "a\udc00b",
        "reversed-surrogates": "\udc00\ud800",
        "noncharacter-fffe": "a\ufffeb",
        "noncharacter-ffff": "a\uffffb",
        "bom": "\ufeffTitle",
        "rlo-override": "file\u202egnp.exe",
        "lro-override": "\u202dabc",
        "rli-isolate": "\u2067abc\u2069",
        "zero-width-space": "Ti\u200btle",
        "zero-width-joiner": "a\u200db",
        "word-joiner": "a\u2060b",
        "only-zero-width": "\u200b\u200c\u200d",
        "only-whitespace": " \t \n ",
        "ideographic-space": "\u3000",
        "replacement-char": "\ufffd",
        "tag-characters": "a\U000e0041\U000e0042",
    },
)


# --- HTML, script, templates, Markdown ----------------------------------------------------------

#: What a payload must never become in a rendered page: a tag or attribute that runs code.
MARKUP_SIGNS = ("<script", "onerror=", "onload=", "<svg", "<iframe", "javascript:alert")

HTML = _group(
    "html",
    {
        "script": "<script>alert('weekly-xss')</script>",
        "script-src": '<script src="https://evil.example/x.js"></script>',
        "script-uppercase": "<SCRIPT>alert(1)</SCRIPT>",
        "script-split": "<scr<script>ipt>alert(1)</script>",
        "img-onerror": "<img src=x onerror=alert(1)>",
        "attr-break-double": '"><img src=x onerror=alert(1)>',
        "attr-break-single": "'><img src=x onerror=alert(1)>",
        "attr-break-unquoted": " onmouseover=alert(1) x=",
        "attr-break-backtick": "`><img src=x onerror=alert(1)>",
        "textarea-close": "</textarea><script>alert(1)</script>",
        "title-close": "</title><script>alert(1)</script>",
        "style-close": "</style><script>alert(1)</script>",
        "script-close": "</script><script>alert(1)</script>",
        "cdata-close": "]]><script>alert(1)</script>",
        "comment-close": "--><script>alert(1)</script>",
        "svg-onload": "<svg onload=alert(1)>",
        "svg-script": "<svg><script>alert(1)</script></svg>",
        "svg-animate": '<svg><animate onbegin=alert(1) attributeName="x"/></svg>',
        "mathml": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "object-data": '<object data="javascript:alert(1)"></object>',
        "a-javascript": '<a href="javascript:alert(1)">click</a>',
        "body-onload": "<body onload=alert(1)>",
        "details-ontoggle": "<details open ontoggle=alert(1)>",
        "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "base-href": '<base href="https://evil.example/">',
        "form-action": '<form action="https://evil.example"><input name=x></form>',
        "style-expression": '<div style="background:url(javascript:alert(1))">x</div>',
        "entity-encoded": "&lt;script&gt;alert(1)&lt;/script&gt;",
        "numeric-entities": "&#60;script&#62;alert(1)&#60;/script&#62;",
        "template-variable": "{{ request.user.password }}",
        "template-tag": "{% debug %}",
        "template-include": "{% include '/etc/passwd' %}",
        "template-comment": "{# hidden #}",
        "jinja-eval": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "angular": "{{constructor.constructor('alert(1)')()}}",
        "format-string": "%(password)s %s %d {0} {password}",
        "markdown-js-link": "[click me](javascript:alert(1))",
        "markdown-js-link-encoded": "[click](javascript&#58;alert(1))",
        "markdown-data-link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "markdown-js-image": "![x](javascript:alert(1))",
        "markdown-image-onerror": '![x" onerror="alert(1)](https://example.org/x.png)',
        "markdown-ref-link": "[click][1]\n\n[1]: javascript:alert(1)",
        "markdown-autolink": "<javascript:alert(1)>",
        "markdown-html-block": "<div>\n<script>alert(1)</script>\n</div>",
        "markdown-title-attr": '[x](https://example.org "\\"><script>alert(1)</script>")',
        "xml-entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "bibtex-break": "} , title = {injected",
        "latex-command": "\\input{/etc/passwd}",
        "markdown-heading": "# Heading\n\n---\n\n> quote",
        "csv-formula": '=HYPERLINK("https://evil.example","x")',
        "header-like": "text\nContent-Type: text/html\n\n<script>alert(1)</script>",
    },
)


# --- Unicode oddities ---------------------------------------------------------------------------

UNICODE = _group(
    "unicode",
    {
        "combining-stack": "Z" + "\u0335\u0336\u0337\u0338" * 50,
        "combining-alone": "\u0301\u0302\u0303",
        "rtl-arabic": "نموذج لغوي كبير",
        "rtl-hebrew": "מודל שפה",
        "mixed-direction": "GPT مرحبا 4",
        "emoji": "🧠📄🚀",
        "emoji-zwj-family": "👩\u200d👩\u200d👧\u200d👦",
        "emoji-flag": "🇨🇳🇺🇸",
        "emoji-skin-tone": "👍🏽",
        "astral-math": "𝐁𝐄𝐑𝐓 𝔊𝔓𝔗",
        "nfd-accents": "Re\u0301sume\u0301",
        "nfc-accents": "Résumé",
        "compatibility-ligature": "ﬁne-tuning",
        "fullwidth-latin": "ＢＥＲＴ",
        "halfwidth-katakana": "ｶﾀｶﾅ",
        "turkish-dotless": "ıİ",
        "german-sharp-s": "Straße STRASSE",
        "greek-final-sigma": "ΣΊΣΥΦΟΣ",
        "homoglyph-cyrillic": "аrxiv.org",
        "chinese": "预训练周刊：大模型",
        "cjk-extension-b": "𠀀𠀁𠀂",
        "korean-jamo": "\u1100\u1161\u11a8",
        "devanagari": "भाषा मॉडल",
        "thai": "โมเดลภาษา",
        "mongolian-vowel-separator": "a\u180eb",
        "hangul-filler": "\u3164",
        "braille-blank": "\u2800",
        "superscripts": "x²³ ¹²",
        "roman-numeral": "Ⅻ",
        "max-code-point": "\U0010fffd",
    },
)


# --- SQL and other injection languages ---------------------------------------------------------

SQL = _group(
    "sql",
    {
        "quote": "'",
        "double-quote": '"',
        "or-true": "' OR '1'='1",
        "or-true-comment": "' OR 1=1 --",
        "union-select": "' UNION SELECT username, password FROM contributors_user --",
        "drop-table": "'; DROP TABLE papers_paper; --",
        "stacked-sleep": "1; SELECT pg_sleep(10)",
        "like-wildcards": "%_%",
        "backslash-escape": "\\'; --",
        "json-operator": "'->>'password",
        "ldap": "*)(uid=*))(|(uid=*",
        "nosql": '{"$gt": ""}',
        "shell": "$(rm -rf /)",
        "shell-backticks": "`id`",
        "regex-catastrophic": "(a+)+$" + "a" * 40 + "!",
        "numeric-string-huge": "9" * 40,
        "numeric-string-negative": "-1",
        "numeric-string-float": "1.5e308",
        "hex-number": "0x7fffffff",
        "printf": "%n%n%n%n",
    },
)


# --- wrong JSON types ---------------------------------------------------------------------------

WRONG_TYPES = _group(
    "wrong_type",
    {
        "null": None,
        "true": True,
        "false": False,
        "zero": 0,
        "negative": -1,
        "float": 3.5,
        "huge-int": 10**40,
        "int64-overflow": 2**63,
        "very-huge-int": 10**400,
        "empty-list": [],
        "list-of-strings": ["2109.08133", "2109.08134"],
        "list-of-null": [None],
        "nested-list": [[["deep"]]],
        "empty-object": {},
        "object": {"value": "x"},
        "object-with-dunder": {"__proto__": {"admin": True}},
        "deep-object": {"a": {"b": {"c": {"d": {"e": "f"}}}}},
        "negative-zero": -0.0,
        "tiny-float": 5e-324,
    },
)

#: Bodies that are no JSON, or JSON that Python reads but the standard does not allow.
RAW_JSON = {
    "nan": b'{"value": NaN}',
    "infinity": b'{"value": Infinity}',
    "minus-infinity": b'{"value": -Infinity}',
    "truncated": b'{"value": "abc',
    "trailing-comma": b'{"value": 1,}',
    "single-quotes": b"{'value': 1}",
    "comment": b'{"value": 1 /* x */}',
    "duplicate-keys": b'{"value": 1, "value": 2}',
    "deep-nesting": b'{"value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "invalid-utf8": b'{"value": "\xff\xfe"}',
    "utf16-bom": '{"value": 1}'.encode("utf-16"),
    "escaped-surrogate": b'{"value": "\\ud800"}',
    "escaped-nul": b'{"value": "\\u0000"}',
    "top-level-list": b"[1, 2, 3]",
    "top-level-string": b'"just a string"',
    "top-level-null": b"null",
    "empty-body": b"",
    "whitespace-body": b"   ",
}


CORPUS: list[Bad] = [*IDENTIFIERS, *OVERSIZED, *CONTROL, *HTML, *UNICODE, *SQL, *WRONG_TYPES]


#: Whether every value goes into every field (``HOSTILE_FULL=1``, some 30,000 cases and several
#: minutes); by default the fields beyond the key ones get the sample below.
FULL = bool(os.environ.get("HOSTILE_FULL"))

#: The sample: at least one value of every kind of trouble, the nastiest of each group.
SAMPLE_LABELS = frozenset(
    {
        "identifier/javascript-url",
        "identifier/data-url-html",
        "identifier/path-traversal",
        "identifier/protocol-relative",
        "identifier/arxiv-two-ids",
        "identifier/arxiv-fullwidth-digits",
        "oversized/one-megabyte",
        "oversized/identifier-over-limit",
        "oversized/summary_input+intro-over-limit",
        "oversized/username-over-limit",
        "control/nul",
        "control/c0-all",
        "control/c1-all",
        "control/crlf-header-injection",
        "control/lone-high-surrogate",
        "control/noncharacter-ffff",
        "control/rlo-override",
        "control/only-zero-width",
        "control/only-whitespace",
        "control/line-separator",
        "html/script",
        "html/attr-break-double",
        "html/textarea-close",
        "html/template-tag",
        "html/markdown-js-link",
        "html/format-string",
        "unicode/combining-stack",
        "unicode/rtl-arabic",
        "unicode/emoji-zwj-family",
        "unicode/max-code-point",
        "sql/or-true-comment",
        "sql/drop-table",
        "sql/like-wildcards",
        "sql/numeric-string-huge",
        "sql/numeric-string-negative",
        "sql/hex-number",
    }
)


def values() -> list[Bad]:
    """Every value, for JSON fields and the API."""
    return list(CORPUS)


def texts() -> list[Bad]:
    """The values a form or a query string can carry: the text ones."""
    return [bad for bad in CORPUS if isinstance(bad.value, str)]


def sample() -> list[Bad]:
    """The text values of ``SAMPLE_LABELS`` (every text value with ``HOSTILE_FULL=1``)."""
    return [bad for bad in texts() if FULL or bad.label in SAMPLE_LABELS]


def markup() -> list[Bad]:
    """The HTML, script, template and Markdown payloads."""
    return list(HTML)


def by_group() -> dict[str, list[Bad]]:
    groups: dict[str, list[Bad]] = {}
    for bad in CORPUS:
        groups.setdefault(bad.group, []).append(bad)
    return groups


def iter_labels() -> Iterator[str]:
    return (bad.label for bad in CORPUS)


def _check_unique() -> None:
    labels = list(iter_labels())
    if len(labels) != len(set(labels)):
        raise AssertionError("corpus labels must be unique")


_check_unique()
if not set(iter_labels()) >= SAMPLE_LABELS:
    raise AssertionError(f"unknown sample labels: {SAMPLE_LABELS - set(iter_labels())}")
