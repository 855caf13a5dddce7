"""Schemathesis hooks of the contract test (``test_contract.py``), loaded by the CLI it starts.

The coverage phase sends every case of an operation with one placeholder id, 0, which names
no object: each of its hundreds of bodies would only meet the 404. Here the placeholder is
replaced, case by case, with one of the seeded objects of the path's kind (drawn with the
run's seed), so the bodies reach the validation and the state checks behind the lookup. The
fuzzing phase draws ids from the same objects through the config's dictionaries.

The objects come in the ``CONTRACT_IDS`` environment variable, as JSON: {kind: [id, …]}.
No Django here: this module runs in the schemathesis process.
"""

from __future__ import annotations

import json
import os
import random
import re
from typing import Any

import schemathesis

_IDS: dict[str, list[Any]] = json.loads(os.environ.get("CONTRACT_IDS", "{}"))
_DRAW = random.Random(os.environ.get("CONTRACT_SEED", "0"))  # noqa: S311 (test data, not secrets)

#: (path prefix, parameter) → the kind of object it names.
_KINDS = [
    (re.compile(r"^/api/v1/issues/"), "id", "issue"),
    (re.compile(r"^/api/v1/issues/"), "entry_id", "entry"),
    (re.compile(r"^/api/v1/papers/"), "id", "paper"),
    (re.compile(r"^/api/v1/recommendations/"), "id", "recommendation"),
    (re.compile(r"^/api/v1/publications/"), "number", "published_number"),
    (re.compile(r"^/api/v1/candidates/"), "id", "candidate"),
    (re.compile(r"^/api/v1/watches/"), "id", "watch"),
]


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    parameters = case.path_parameters
    if not parameters:
        return
    for pattern, name, kind in _KINDS:
        if (
            str(parameters.get(name)) == "0"
            and pattern.match(case.operation.path)
            and _IDS.get(kind)
        ):
            parameters[name] = _DRAW.choice(_IDS[kind])
