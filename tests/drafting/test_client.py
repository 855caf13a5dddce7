"""The chat-completions client against the local stand-in, and the validation of answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drafting.client import (
    ChatClient,
    ModelBadResponse,
    ModelMissing,
    ModelRefusedRequest,
    ModelUnauthorized,
    ModelUnavailable,
)
from drafting.validation import DraftRefused, validate_answer
from tests.servers.llm import (
    BAD_REQUEST,
    GOOD_DRAFT,
    RATE_LIMITED,
    LLMStandIn,
    Reply,
    draft_with,
    needs_recordings,
)

pytestmark = needs_recordings


@pytest.fixture
def llm() -> Iterator[LLMStandIn]:
    with LLMStandIn().running() as stand_in:
        yield stand_in


MESSAGES = [{"role": "system", "content": "Draft."}, {"role": "user", "content": "{}"}]


def _client(stand_in: LLMStandIn, model: str = "good", **kwargs) -> tuple[ChatClient, list]:
    waits: list[float] = []
    client = ChatClient(
        stand_in.url, model=model, api_key="sk-test", timeout=5, sleep=waits.append, **kwargs
    )
    return client, waits


def test_complete_returns_the_answer_and_its_tokens(llm: LLMStandIn) -> None:
    client, _waits = _client(llm)
    completion = client.complete(MESSAGES)
    assert json.loads(completion.content) == GOOD_DRAFT
    assert (completion.model, completion.prompt_tokens, completion.completion_tokens) == (
        "good",
        900,
        300,
    )
    assert completion.finish_reason == "stop"
    request = llm.requests[0]
    assert request["model"] == "good"
    assert request["messages"] == MESSAGES
    assert request["response_format"] == {"type": "json_object"}
    assert llm.headers[0]["Authorization"] == "Bearer sk-test"


def test_complete_sends_no_key_when_none_is_set(llm: LLMStandIn) -> None:
    ChatClient(llm.url, model="good").complete(MESSAGES)
    assert "Authorization" not in llm.headers[0]


def test_complete_retries_a_429_honouring_retry_after(llm: LLMStandIn) -> None:
    llm.faults = [Reply(429, RATE_LIMITED.read_bytes(), headers=(("Retry-After", "7"),))]
    client, waits = _client(llm)
    assert client.complete(MESSAGES).model == "good"
    assert len(llm.requests) == 2
    assert waits == [7.0]


def test_complete_gives_up_after_its_attempts_with_the_servers_words(llm: LLMStandIn) -> None:
    llm.faults = [Reply(503, b"{}")] * 2 + [Reply(429, RATE_LIMITED.read_bytes())]
    client, waits = _client(llm, attempts=3)
    with pytest.raises(ModelUnavailable) as raised:
        client.complete(MESSAGES)
    assert "HTTP 429" in str(raised.value)
    assert "Provider returned error" in str(raised.value)
    assert len(waits) == 2
    assert len(llm.requests) == 3


def test_complete_caps_a_long_retry_after(llm: LLMStandIn) -> None:
    llm.faults = [Reply(503, b"", headers=(("Retry-After", "3600"),))]
    client, waits = _client(llm)
    client.complete(MESSAGES)
    assert waits == [30.0]


def test_complete_reports_a_missing_model(llm: LLMStandIn) -> None:
    client, _waits = _client(llm, model="non-existent-model")
    with pytest.raises(ModelMissing) as raised:
        client.complete(MESSAGES)
    assert "non-existent-model" in str(raised.value)
    assert "LLM_MODEL" in str(raised.value)
    assert len(llm.requests) == 1


def test_complete_reports_a_refused_key_without_retrying(llm: LLMStandIn) -> None:
    client, _waits = _client(llm, model="unauthorized")
    with pytest.raises(ModelUnauthorized) as raised:
        client.complete(MESSAGES)
    assert "Incorrect API key provided." in str(raised.value)
    assert len(llm.requests) == 1


def test_complete_reports_a_refused_request(llm: LLMStandIn) -> None:
    llm.faults = [Reply(400, BAD_REQUEST.read_bytes())]
    client, _waits = _client(llm)
    with pytest.raises(ModelRefusedRequest) as raised:
        client.complete(MESSAGES)
    assert "unsupported image" in str(raised.value)


def test_complete_times_out(llm: LLMStandIn) -> None:
    llm.hang_seconds = 2.0
    client = ChatClient(llm.url, model="hang", timeout=0.5, attempts=1)
    with pytest.raises(ModelUnavailable):
        client.complete(MESSAGES)


def test_complete_refuses_an_empty_answer(llm: LLMStandIn) -> None:
    client, _waits = _client(llm, model="silent")
    with pytest.raises(ModelBadResponse) as raised:
        client.complete(MESSAGES)
    assert str(raised.value) == "The language model answered nothing."


@pytest.mark.parametrize(
    "body", [b"<html>gateway</html>", b'{"choices": []}', b'{"choices": [{"message": 3}]}']
)
def test_complete_refuses_what_is_no_completion(llm: LLMStandIn, body: bytes) -> None:
    llm.faults = [Reply(200, body)]
    client, _waits = _client(llm)
    with pytest.raises(ModelBadResponse):
        client.complete(MESSAGES)


def test_complete_refuses_an_oversized_answer(llm: LLMStandIn) -> None:
    llm.faults = [Reply(200, b" " * (600 * 1024))]
    client, _waits = _client(llm)
    with pytest.raises(ModelBadResponse) as raised:
        client.complete(MESSAGES)
    assert "larger than" in str(raised.value)


def test_complete_unreachable() -> None:
    client = ChatClient("http://127.0.0.1:9/v1", model="good", attempts=1, timeout=1)
    with pytest.raises(ModelUnavailable):
        client.complete(MESSAGES)


# --- the answers of the bad models, validated ---------------------------------------------------

TOPICS = {"retrieval", "architecture"}
ASKED = {"Korea University"}


def _answer(stand_in: LLMStandIn, model: str) -> str:
    client, _waits = _client(stand_in, model=model)
    return client.complete(MESSAGES).content


def test_validate_answer_of_the_good_model(llm: LLMStandIn) -> None:
    fields = validate_answer(_answer(llm, "good"), topics=TOPICS, institutions=ASKED)
    assert fields.title_zh == GOOD_DRAFT["title_zh"]
    assert fields.subject_en == "phrase retrieval"
    assert fields.topic == "retrieval"
    assert fields.institutions == [("Korea University", "高丽大学")]


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("wrong-language", "The model's “title_zh” is not written in Chinese."),
        ("markup", "The model's “summary_zh” holds markup (HTML or Markdown)."),
        ("invalid-json", "The model did not answer with valid JSON."),
        ("too-long", "The model's “summary_zh” has 5000 characters, not 30 to 1000."),
    ],
)
def test_validate_answer_refuses_the_bad_models(llm: LLMStandIn, model: str, reason: str) -> None:
    with pytest.raises(DraftRefused) as raised:
        validate_answer(_answer(llm, model), topics=TOPICS, institutions=ASKED)
    assert str(raised.value) == reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"summary_en": "本文研究短语检索能否作为段落检索的基础，效果很好，值得一读。"},
            "not written in English",
        ),
        ({"subject_zh": None}, "has no “subject_zh”"),
        ({"title_zh": "# 短语检索"}, "holds markup"),
        (
            {"summary_en": "See [the paper](https://example.org) for the whole story here."},
            "markup",
        ),
    ],
)
def test_validate_answer_refuses(changes: dict, reason: str) -> None:
    with pytest.raises(DraftRefused) as raised:
        validate_answer(draft_with(**changes), topics=TOPICS, institutions=ASKED)
    assert reason in str(raised.value)


def test_validate_answer_drops_unknown_topics_and_institutions() -> None:
    content = draft_with(
        topic="astrology",
        institutions=[
            {"name": "Korea University", "short_zh": "<b>高丽</b>"},
            {"name": "Unasked University", "short_zh": "未问大学"},
            "junk",
        ],
    )
    fields = validate_answer(content, topics=TOPICS, institutions=ASKED)
    assert (fields.topic, fields.institutions) == ("", [])


def test_validate_answer_refuses_a_list() -> None:
    with pytest.raises(DraftRefused):
        validate_answer("[1, 2]", topics=TOPICS, institutions=ASKED)


def test_drafting_is_off_by_default_and_on_with_a_server_and_model(settings) -> None:
    from drafting.backend import chat_client, drafting_enabled

    assert drafting_enabled() is False
    settings.LLM_API_URL = "http://127.0.0.1:9/v1"
    assert drafting_enabled() is False
    settings.LLM_MODEL = "qwen2.5:7b"
    settings.LLM_API_KEY = "sk-x"
    assert drafting_enabled() is True
    client = chat_client()
    assert (client.base_url, client.model, client.api_key) == (
        "http://127.0.0.1:9/v1",
        "qwen2.5:7b",
        "sk-x",
    )
