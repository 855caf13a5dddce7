"""The payload's signature (``webhooks/signing.py``) and the docs' verification example."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from webhooks import signing

SECRET = "whsec_test"
BODY = b'{"id":"e1","type":"issue.published"}'


def test_sign_is_hmac_sha256_over_timestamp_dot_body() -> None:
    header = signing.sign(SECRET, BODY, timestamp=1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_its_own_signature_and_refuses_any_change() -> None:
    header = signing.sign(SECRET, BODY, timestamp=1_700_000_000)
    assert signing.verify(SECRET, header, BODY, now=1_700_000_100)
    assert not signing.verify(SECRET, header, BODY + b" ", now=1_700_000_100)
    assert not signing.verify("whsec_other", header, BODY, now=1_700_000_100)
    assert not signing.verify(
        SECRET, header.replace("t=1700000000", "t=1700000001"), BODY, now=1_700_000_100
    )
    assert not signing.verify(SECRET, "v1=abc", BODY, now=1_700_000_100)
    assert not signing.verify(SECRET, "", BODY)


def test_verify_refuses_an_old_signature() -> None:
    header = signing.sign(SECRET, BODY, timestamp=1_700_000_000)
    assert not signing.verify(SECRET, header, BODY, now=1_700_000_000 + signing.TOLERANCE + 1)


def test_the_docs_verification_example_accepts_a_signed_payload() -> None:
    """The Python example of docs/DEPLOY.md, run as written, on a payload signed here."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md").read_text()
    example = re.search(r"```python\n(# Verifying a webhook.*?)```", docs, re.DOTALL)
    assert example, "docs/DEPLOY.md shows the verification example"
    namespace: dict = {}
    exec(example.group(1), namespace)  # noqa: S102 (our own docs' example)
    header = signing.sign(SECRET, BODY)
    assert namespace["verify"](SECRET, header, BODY) is True
    assert namespace["verify"](SECRET, header, BODY + b"x") is False
