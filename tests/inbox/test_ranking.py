"""inbox.ranking: the terms of a text and its TF-IDF similarity to a publication's profile."""

from __future__ import annotations

import time

import pytest

from inbox.ranking import MAX_PROFILE_TEXTS, MAX_TEXT_LENGTH, Profile, tokens

FEATURED = [
    "Pretraining language models on curated web text. We pretrain transformers on web pages.",
    "Aligning language models with human feedback: reward models for instruction following.",
    "Scaling laws for pretraining large language models on code and text.",
]
NEAR = "Pretraining small language models on curated text"
FAR = "Dark matter halos and galaxy rotation curves in the early universe"


# --------------------------------------------------------------------------- tokens


def test_tokens_lower_cases_stems_and_drops_stop_words_and_numbers() -> None:
    assert tokens("We propose Pretrained MODELS for the 2024 Pretraining of classes, a GPT-4") == [
        "pretrain",
        "model",
        "pretrain",
        "class",
        "gpt",
    ]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("models", "model"),
        ("modelling", "model"),
        ("learned", "learn"),
        ("learning", "learn"),
        ("queries", "query"),
        ("analysis", "analysis"),
        ("corpus", "corpus"),
        ("sing", "sing"),
        ("structure", "structur"),
        ("structured", "structur"),
        ("structures", "structur"),
        ("images", "imag"),
    ],
)
def test_tokens_light_stemmer_joins_a_word_forms(word: str, stem: str) -> None:
    assert tokens(word) == [stem]


def test_tokens_cuts_han_text_into_bigrams() -> None:
    assert tokens("大语言模型") == ["大语", "语言", "言模", "模型"]


def test_tokens_keeps_a_lone_han_character_and_mixes_with_latin() -> None:
    assert tokens("用 BERT 做检索") == ["bert", "用", "做检", "检索"]


def test_tokens_normalises_full_width_letters() -> None:
    assert tokens("ＢＥＲＴ Ｍｏｄｅｌｓ") == ["bert", "model"]


@pytest.mark.parametrize("text", ["", None, "   ", "a I 1 22 of the", "!!! ??? ---"])
def test_tokens_of_a_text_without_terms_is_empty(text: str | None) -> None:
    assert tokens(text) == []


def test_tokens_reads_only_the_first_max_text_length_characters() -> None:
    head = "word " * (MAX_TEXT_LENGTH // 5)
    assert tokens(head + "tailword") == tokens(head)
    assert "tailword" not in tokens(head + "tailword")


# --------------------------------------------------------------------------- Profile


def test_profile_scores_a_near_text_above_a_far_one() -> None:
    profile = Profile.build(FEATURED)

    near, far = profile.score(NEAR), profile.score(FAR)

    assert 0.3 < near <= 1.0
    assert far == 0.0


def test_profile_scores_a_featured_text_alone_as_one() -> None:
    profile = Profile.build([FEATURED[0]])

    assert profile.score(FEATURED[0]) == pytest.approx(1.0)
    assert profile.score(FEATURED[0]) <= 1.0


def test_profile_scores_the_cosine_to_the_centroid_of_the_featured_vectors() -> None:
    profile = Profile.build([*FEATURED, FAR])

    vector = profile.vector(NEAR)
    expected = sum(value * profile.centroid.get(term, 0.0) for term, value in vector.items())
    assert profile.score(NEAR) == pytest.approx(expected)
    assert len(profile.vectors) == 4
    assert sum(value * value for value in vector.values()) == pytest.approx(1.0)
    # A featured paper unlike the others counts for a quarter of the profile, not all of it.
    assert 0.0 < profile.score(FAR) < 0.6


def test_profile_background_makes_common_words_weigh_less() -> None:
    background = ["Language models for text " + str(i) for i in range(50)]
    alone = Profile.build(FEATURED)
    with_background = Profile.build(FEATURED, background=background)

    # "language" and "model" are everywhere in the background: "pretrain" carries the score.
    assert with_background.score("language models") < alone.score("language models")
    assert with_background.score("pretraining") > with_background.score("language models")


def test_profile_ranks_chinese_texts_by_shared_bigrams() -> None:
    profile = Profile.build(["大语言模型的预训练方法", "语言模型的对齐与人类反馈"])

    assert profile.score("小型语言模型预训练") > profile.score("星系旋转曲线与暗物质") == 0.0


@pytest.mark.parametrize("texts", [[], ["", None, "the of and"]])
def test_profile_without_terms_scores_everything_zero(texts: list[str | None]) -> None:
    profile = Profile.build(texts)

    assert profile.is_empty
    assert profile.score(NEAR) == 0.0
    assert profile.score(FEATURED[0]) == 0.0


def test_profile_scores_a_text_without_terms_zero() -> None:
    assert Profile.build(FEATURED).score("") == 0.0
    assert Profile.build(FEATURED).score(None) == 0.0
    assert Profile.build(FEATURED).vector("the of and") == {}


def test_profile_keeps_the_first_max_profile_texts() -> None:
    texts = ["alpha topic"] * MAX_PROFILE_TEXTS + ["omega subject"]

    profile = Profile.build(texts)

    assert len(profile.vectors) == MAX_PROFILE_TEXTS
    assert profile.score("omega subject") == 0.0


def test_profile_scores_a_hostile_text_quickly_and_within_bounds() -> None:
    profile = Profile.build(FEATURED)
    hostile = ("pretraining " * 2_000_000) + "大" * 1_000_000

    started = time.perf_counter()
    score = profile.score(hostile)
    elapsed = time.perf_counter() - started

    assert 0.0 <= score <= 1.0
    # Only MAX_TEXT_LENGTH characters are read: milliseconds, not the seconds of 25 MB.
    assert elapsed < 1.0
