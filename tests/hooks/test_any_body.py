"""Whatever a script sends, the hook answers it with a status that says what happened and a
message, never a server error, and stores an experiment only when it answers 201."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.hooks.support import connect
from tests.support.delivery import experiments, frame
from tests.support.plateau import clock  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("clock")

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner)
)
FIELD = st.sampled_from(["problem", "values", "n", "run_url", "note", "key", "confirmed", "x"])
FIELD_VALUES = {
    "problem": st.sampled_from(["P-1", "P-2", "p1", 1, "P-", "E-1"]) | SCALARS,
    "values": st.lists(st.floats() | st.integers(), max_size=3) | JSON_VALUES,
}
BODIES = st.dictionaries(FIELD, JSON_VALUES, max_size=7).flatmap(
    lambda body: st.fixed_dictionaries(
        {name: FIELD_VALUES.get(name, st.just(value)) for name, value in body.items()}
    )
)
RAW = st.binary(max_size=200) | BODIES.map(lambda b: json.dumps(b).encode())


@pytest.fixture
def hook(bot):
    frame(bot)
    return bot, connect(bot)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=RAW)
@example(raw=b'{"problem": "P-1", "values": [1' + b"0" * 400 + b"]}")
@example(raw=b'{"problem": "P-1", "values": [1' + b"0" * 5000 + b"]}")
@example(raw=b'{"problem": "P-1", "values": [0.8], "n": 1' + b"0" * 30 + b"}")
@example(raw=b'{"problem": "P-1", "values": [0.8], "n": -3, "key": "\\u0000"}')
def test_any_body_is_answered_with_a_reason_and_never_half_written(hook, raw):
    bot, token = hook
    before = len(experiments(bot))

    answer = httpx.post(
        f"{bot.url}/hooks/experiments",
        content=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert answer.status_code in (200, 201, 400, 404, 422), answer.text
    reply = answer.json()
    stored = len(experiments(bot)) - before
    if answer.status_code == 201:
        assert stored == 1 and reply["id"].startswith("E-")
    else:
        assert stored == 0
        assert answer.status_code == 200 or reply["message"]
