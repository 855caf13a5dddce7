"""The texts of the generated archive, built from ``words``: a paper's vocabulary and title, its
abstract, a recommendation's summary, a news item."""

from __future__ import annotations

import random
from typing import Any

from demo.load import words
from demo.load.context import END


def vocab(rng: random.Random) -> dict[str, Any]:
    """The terms of one paper: its title and every text about it use these."""
    method, method2 = rng.sample(words.METHODS, 2)
    return {
        "template": rng.choice(words.TITLES),
        "parts": {
            "adj": rng.choice(words.ADJECTIVES),
            "method": method,
            "method2": method2,
            "task": rng.choice(words.TASKS),
            "model": rng.choice(words.MODELS),
            "prop": rng.choice(words.PROPERTIES),
        },
        "name": rng.choice(words.NAME_PARTS)
        + rng.choice(words.NAME_PARTS)
        + (f"-{rng.randint(2, 9)}" if rng.random() < 0.3 else ""),
    }


def title(v: dict[str, Any]) -> tuple[str, str]:
    """The English title and its Chinese translation."""
    en, zh = v["template"]
    return (
        en.format(**{k: val[0] for k, val in v["parts"].items()}, name=v["name"]),
        zh.format(**{k: val[1] for k, val in v["parts"].items()}, name=v["name"]),
    )


def abstract(rng: random.Random, v: dict[str, Any]) -> str:
    values = _values(rng, v)
    chosen = rng.sample(words.ABSTRACT_SENTENCES[2:], rng.randint(3, 6))
    return " ".join(s.format(**values) for s in words.ABSTRACT_SENTENCES[:2] + chosen)


def summary(rng: random.Random, v: dict[str, Any]) -> str:
    """A recommendation's summary: in Chinese mostly, in English otherwise."""
    values = _values(rng, v)
    if rng.random() < 0.6:
        values["reason_zh"] = rng.choice(words.REASONS_ZH).format(**values)
        return rng.choice(words.SUMMARIES_ZH).format(**values)
    values["reason_en"] = rng.choice(words.REASONS_EN)
    return rng.choice(words.SUMMARIES_EN).format(**values)


def _values(rng: random.Random, v: dict[str, Any]) -> dict[str, Any]:
    parts = v["parts"]
    values: dict[str, Any] = {}
    for key, (en, zh) in parts.items():
        values[key] = en if key == "model" else en.lower()
        values[f"{key}_zh"] = zh
    values.update(
        Model=parts["model"][0],
        adj=parts["adj"][0].lower(),
        name=v["name"],
        k=rng.randint(3, 12),
        x=f"{rng.uniform(0.5, 9.5):.1f}",
        n=rng.randint(5, 500),
        p=rng.randint(10, 70),
    )
    return values


def news_item(rng: random.Random) -> tuple[str, str, str]:
    """A news item's title, link and summary, in Chinese mostly."""
    v = vocab(rng)["parts"]
    org_zh, org_en, host = rng.choice(words.NEWS_SOURCES)
    zh, en = rng.choice(words.NEWS)
    chinese = rng.random() < 0.7
    values = {
        "org": org_zh if chinese else org_en,
        "year": END.year - 1,
        "model": v["model"][0],
        "model_zh": v["model"][1],
        "task": v["task"][0].lower(),
        "task_zh": v["task"][1],
        "method": v["method"][0].lower(),
        "method_zh": v["method"][1],
    }
    text = (zh if chinese else en).format(**values)
    url = f"https://{host}/news/{rng.randrange(10**6):06d}"
    blurb = f"{text}。详情见原文。" if chinese else f"{text}. Read more there."
    return text, url, blurb
