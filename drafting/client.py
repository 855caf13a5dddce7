"""A client of the OpenAI-compatible chat-completions protocol, which hosted providers
(DeepSeek, Qwen, Moonshot, OpenAI…) and local servers (Ollama, vLLM, llama.cpp's server) speak.

Robust like the catalogue's clients (``papers.clients.http``): the answer is read up to a bound
and within a deadline, 429 and 5xx are retried with backoff honouring ``Retry-After``, and every
fault becomes an error a person can read. It returns plain dataclasses and touches no ORM.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import Any

import httpx

from papers.clients.http import KeptConnectionClient, parse_retry_after, user_agent

SERVICE = "The language model"
#: A chat completion of one entry is a few kilobytes; anything near this is not one.
MAX_RESPONSE_BYTES = 512 * 1024
#: The longest one wait between tries, whatever the server asks: a worker must not sleep long.
MAX_WAIT = 30.0


class ModelError(Exception):
    """Base class; ``str(error)`` can be shown to an editor."""


class ModelUnavailable(ModelError):
    """Not reachable, too slow, or asked us to back off: trying later may succeed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ModelBadResponse(ModelError):
    """An answer that is not a chat completion we can read."""


class ModelRefusedRequest(ModelError):
    """The server refused the request itself (HTTP 400 and the like)."""


class ModelUnauthorized(ModelError):
    """The key was refused (401, 403): a configuration fault, told to the editors once."""


class ModelMissing(ModelError):
    """The configured model does not exist there: a configuration fault, told once."""


@dataclass(frozen=True)
class Completion:
    content: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = ""


class ChatClient(KeptConnectionClient):
    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str = "",
        timeout: float = 60.0,
        attempts: int = 3,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.user_agent = user_agent()
        self._transport = transport
        self._limiter = None
        self._http = None
        self._sleep = sleep

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 2000) -> Completion:
        """One chat completion asked for JSON; passing faults are tried again up to
        ``attempts`` times in all, waiting as the server asks (at most ``MAX_WAIT``)."""
        payload = {
            "model": self.model,
            "messages": messages,
            "temperature": 0.2,
            "max_tokens": max_tokens,
            "response_format": {"type": "json_object"},
            "stream": False,
        }
        for attempt in range(self.attempts):
            try:
                return self._complete_once(payload)
            except ModelUnavailable as error:
                if attempt + 1 >= self.attempts:
                    raise
                wait = 2.0**attempt * random.uniform(0.5, 1.5)  # noqa: S311 (spreading retries)
                self._sleep(min(MAX_WAIT, max(wait, error.retry_after or 0.0)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete_once(self, payload: dict[str, Any]) -> Completion:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = f"{self.base_url}/chat/completions"
        try:
            with self._http_client().stream(
                "POST", url, content=json.dumps(payload).encode(), headers=headers
            ) as response:
                body = self._read(response)
                status, response_headers = response.status_code, response.headers
        except httpx.TransportError as exc:
            raise ModelUnavailable(
                f"{SERVICE} could not be reached or answered too slowly. Please try again later."
            ) from exc
        except httpx.HTTPError as exc:
            raise ModelBadResponse(f"{SERVICE} sent a response that could not be read.") from exc
        return self._completion(status, response_headers, body)

    def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        too_large = ModelBadResponse(
            f"{SERVICE} sent a response larger than the {MAX_RESPONSE_BYTES} bytes we accept."
        )
        if declared is not None and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise too_large
        # httpx's timeout is per network operation: a server trickling bytes is bounded here.
        deadline = monotonic() + self.timeout
        chunks, received = [], 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > MAX_RESPONSE_BYTES:
                raise too_large
            chunks.append(chunk)
            if monotonic() > deadline:
                raise ModelUnavailable(f"{SERVICE} answered too slowly. Please try again later.")
        return b"".join(chunks)

    def _completion(self, status: int, headers: httpx.Headers, body: bytes) -> Completion:
        data = _json(body)
        if status in (408, 409, 425, 429) or status >= 500:
            raise ModelUnavailable(
                f"{SERVICE} is busy or unavailable (HTTP {status}): {_error_message(data)}",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status in (401, 403):
            raise ModelUnauthorized(
                f"{SERVICE} refused the key (HTTP {status}): {_error_message(data)} "
                "Check LLM_API_KEY."
            )
        if status == 404:
            raise ModelMissing(
                f"{SERVICE} does not know the model “{self.model}”: {_error_message(data)} "
                "Check LLM_MODEL."
            )
        if status != 200:
            raise ModelRefusedRequest(
                f"{SERVICE} refused the request (HTTP {status}): {_error_message(data)}"
            )
        if not isinstance(data, dict):
            raise ModelBadResponse(f"{SERVICE} sent a response that is not a chat completion.")
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise ModelBadResponse(f"{SERVICE} sent a chat completion without an answer.") from None
        if not isinstance(content, str) or not content.strip():
            raise ModelBadResponse(f"{SERVICE} answered nothing.")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Completion(
            content=content,
            model=str(data.get("model") or self.model)[:200],
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
            finish_reason=str(choice.get("finish_reason") or ""),
        )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _error_message(data: Any) -> str:
    """The error's own words, as OpenAI and the gateways put them, shortened."""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:300]
    if isinstance(error, str):
        return error[:300]
    return "no reason given."


def _count(value: Any) -> int:
    return value if isinstance(value, int) and 0 <= value < 10**9 else 0
