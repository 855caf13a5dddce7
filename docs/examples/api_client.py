"""Recommend a paper to a Weekly publication, wait for its metadata, read the latest issue.

    .venv/bin/python docs/examples/api_client.py --base-url http://127.0.0.1:8000 \\
        --username contributor https://arxiv.org/abs/2307.09288

The password is asked for unless --password is given. See docs/API.md.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import Any

import httpx

#: Metadata statuses that mean "a worker has not finished with this paper yet".
WAITING = {"pending", "fetching"}


def call(api: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    """One API request: waits and retries when throttled, stops with the API's message on errors."""
    while True:
        response = api.request(method, path, **kwargs)
        if response.status_code != 429:
            break
        time.sleep(int(response.headers.get("Retry-After", "10")))
    if response.is_success:
        return response.json() if response.content else None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError):
        sys.exit(f"{method} {path}: HTTP {response.status_code}")
    lines = [f"{method} {path}: {response.status_code} {error['code']}: {error['message']}"]
    for name, messages in error["fields"].items():
        lines += [f"  {name}: {text}" for text in messages if text != error["message"]]
    sys.exit("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "identifier",
        help="an arXiv id or URL, a DOI, an ACL Anthology, OpenReview, Semantic Scholar or "
        "AMiner link",
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the site's address")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", help="asked for when left out")
    parser.add_argument("--publication", default="pretraining-weekly", help="its slug")
    parser.add_argument("--summary", default="Worth reading: a clear step forward.")
    parser.add_argument("--topic", help="a topic's slug (GET /api/v1/topics/)")
    parser.add_argument("--wait", type=int, default=300, help="seconds to wait for metadata")
    args = parser.parse_args()
    password = args.password or getpass.getpass(f"Password of {args.username}: ")

    with httpx.Client(base_url=f"{args.base_url.rstrip('/')}/api/v1/", timeout=30) as api:
        # 1. A token for the member, sent as "Authorization: Token …" from now on.
        login = {"username": args.username, "password": password}
        token = call(api, "POST", "auth/token/", json=login)["token"]
        api.headers["Authorization"] = f"Token {token}"

        # 2. The recommendation: submitted for review at once (send "draft": true to keep it).
        recommendation = call(
            api,
            "POST",
            "recommendations/",
            json={
                "publication": args.publication,
                "identifier": args.identifier,
                "summary": args.summary,
                "topic": args.topic,
            },
        )
        rid, status = recommendation["id"], recommendation["status"]
        print(f"Recommendation {rid}: {status}, metadata {recommendation['paper_metadata_status']}")

        # 3. A worker fetches the paper's metadata; poll until it is done with it.
        deadline = time.monotonic() + args.wait
        while recommendation["paper_metadata_status"] in WAITING and time.monotonic() < deadline:
            time.sleep(5)
            recommendation = call(api, "GET", f"recommendations/{rid}/")
        paper = recommendation["paper"]
        state = paper["metadata"]
        print(f"Metadata: {state['status']}")
        if state["status"] == "ok":
            print(f"  {paper['title']} ({paper['year']}), {', '.join(paper['authors'][:3])}")
        elif state["status"] in ("failed", "not_found"):
            print(f"  {state['error']}")
            print(f"  Fill it in by hand: PUT /api/v1/papers/{paper['id']}/metadata/")

        # 4. The publication's latest published issue (for its editors the list has drafts too).
        issues = call(api, "GET", f"publications/{args.publication}/issues/")["results"]
        latest = next((issue for issue in issues if issue["status"] == "published"), None)
        if latest is None:
            print("No issue is published yet.")
            return
        issue = call(api, "GET", f"publications/{args.publication}/issues/{latest['number']}/")
        print(f"Latest issue: #{issue['number']} {issue['title']} ({issue['published_at'][:10]})")
        for entry in issue["entries"]:
            print(f"  {entry['position']}. [{entry['section']}] {entry['title']}  {entry['url']}")


if __name__ == "__main__":
    main()
