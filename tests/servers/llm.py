"""A local stand-in for an OpenAI-compatible chat-completions server, answering from the
recorded shapes in ``../shared/fixtures/openai/``.

``POST /v1/chat/completions`` answers as the model named in the request behaves:

- ``good``: a chat completion (the recorded 200 body, its content and usage replaced) whose
  content is the JSON of ``GOOD_DRAFT``;
- ``wrong-language``: the Chinese fields written in English;
- ``markup``: a summary in Markdown and HTML;
- ``invalid-json``: prose instead of JSON;
- ``too-long``: a summary of 5,000 characters;
- ``silent``: a completion with an empty answer;
- ``hang``: holds the answer for ``hang_seconds`` (a timeout);
- ``unauthorized``: 401 with OpenAI's error shape;
- any other: the recorded 404 ``model_not_found``.

Faults queued in ``faults`` are served first (the recorded 429 with ``Retry-After``, a 503).
Every request is logged with its headers and JSON body.
"""

from __future__ import annotations

import contextlib
import copy
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.servers.http import QuietHandler, serving

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "openai"
SUCCESS = FIXTURES / "chat_completion_200_json-content_gpt-4o__paper-qa.json"
MODEL_NOT_FOUND = FIXTURES / "chat_completion_404_model_not_found__crewAI.json"
RATE_LIMITED = FIXTURES / "openrouter_chat_completions_429_rate_limited__pydantic-ai.json"
BAD_REQUEST = FIXTURES / "chat_completion_400_invalid_image_format__paper-qa.json"

needs_recordings = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"the recorded OpenAI responses are not at {FIXTURES}"
)

#: What the ``good`` model drafts (written here, for a paper on phrase retrieval).
GOOD_DRAFT: dict[str, Any] = {
    "title_zh": "短语检索也能学会段落检索",
    "summary_zh": (
        "本文研究短语检索能否作为段落与文档检索的基础。作者发现，稠密短语检索系统无需重新训练，"
        "在段落检索准确率上即优于段落检索器，并以更少的段落取得更好的端到端问答效果。"
    ),
    "summary_en": (
        "The paper asks whether phrase retrieval can serve passage and document retrieval. A "
        "dense phrase retriever, without retraining, beats passage retrievers on accuracy."
    ),
    "subject_zh": "短语检索",
    "subject_en": "phrase retrieval",
    "topic": "retrieval",
    "institutions": [{"name": "Korea University", "short_zh": "高丽大学"}],
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


def completion(content: str, *, model: str = "good", prompt: int = 900, answer: int = 300) -> bytes:
    """The recorded chat completion with ``content`` as its answer and the usage given."""
    body = json.loads(SUCCESS.read_bytes())
    body["model"] = model
    body["choices"][0]["message"]["content"] = content
    body["usage"].update(
        prompt_tokens=prompt, completion_tokens=answer, total_tokens=prompt + answer
    )
    return json.dumps(body, ensure_ascii=False).encode()


def draft_with(**changes: Any) -> str:
    draft = copy.deepcopy(GOOD_DRAFT)
    draft.update(changes)
    return json.dumps(draft, ensure_ascii=False)


@dataclass
class LLMStandIn:
    faults: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    hang_seconds: float = 3.0
    url: str = ""

    def answer(self, request: dict[str, Any]) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        model = request.get("model")
        if model == "good":
            return Reply(body=completion(draft_with(), model="good"))
        if model == "wrong-language":
            wrong = draft_with(title_zh="Phrase Retrieval Learns Passage Retrieval, Too")
            return Reply(body=completion(wrong, model=model))
        if model == "markup":
            marked = draft_with(
                summary_zh="**本文**研究<b>短语检索</b>能否作为段落检索的基础，效果很好。"
            )
            return Reply(body=completion(marked, model=model))
        if model == "invalid-json":
            return Reply(body=completion("Sure! Here is the draft: 短语检索…", model=model))
        if model == "too-long":
            return Reply(body=completion(draft_with(summary_zh="本文研究" * 1250), model=model))
        if model == "silent":
            return Reply(body=completion("", model=model))
        if model == "hang":
            return Reply(body=completion(draft_with(), model=model), delay=self.hang_seconds)
        if model == "unauthorized":
            error = {
                "error": {
                    "message": "Incorrect API key provided.",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                    "param": None,
                }
            }
            return Reply(401, json.dumps(error).encode())
        return Reply(404, MODEL_NOT_FOUND.read_bytes())

    @contextmanager
    def running(self) -> Iterator[LLMStandIn]:
        stand_in = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                stand_in.requests.append(request)
                stand_in.headers.append(dict(self.headers.items()))
                if self.path != "/v1/chat/completions":
                    reply = Reply(404, b'{"error": "not found"}')
                else:
                    reply = stand_in.answer(request)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

        with serving(Handler) as url:
            self.url = url + "/v1"
            yield self
