"""The language model this site is configured with (``LLM_*`` settings), if any."""

from __future__ import annotations

from django.conf import settings

from drafting.client import ChatClient


def drafting_enabled() -> bool:
    """Whether drafts are offered: only with a server and a model configured."""
    return bool(settings.LLM_API_URL and settings.LLM_MODEL)


def chat_client(*, attempts: int = 3) -> ChatClient:
    """The configured client; a worker asks with ``attempts=1`` and leaves the retries with
    their backoff to its task, which does not hold a worker while it waits."""
    return ChatClient(
        settings.LLM_API_URL,
        model=settings.LLM_MODEL,
        api_key=settings.LLM_API_KEY,
        timeout=settings.LLM_TIMEOUT,
        attempts=attempts,
    )
