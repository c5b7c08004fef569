"""The documented subset of TaskRouter's expression language."""

import pytest

from twilio_conf_emulator.taskrouter.expressions import ExpressionError, matches

TASK = {"selected_language": "es", "priority_level": 3, "vip": True, "type": "support",
        "customer": {"tier": "gold"}, "tags": ["refund", "urgent"]}
WORKER = {"languages": ["en", "es"], "level": 2, "team": "billing", "skills": "sales,support"}


@pytest.mark.parametrize("expr, expected", [
    ("1==1", True),
    ("selected_language == 'es'", True),
    ('selected_language == "en"', False),
    ("selected_language != 'en'", True),
    ("priority_level > 2 AND priority_level <= 3", True),
    ("vip == true", True),
    ("customer.tier IN ['gold', 'platinum']", True),
    ("customer.tier NOT IN ['gold']", False),
    ("tags HAS 'refund'", True),
    ("tags CONTAINS 'spam'", False),
    ("type == 'sales' OR type == 'support'", True),
    ("(type == 'sales' OR vip == true) AND selected_language == 'es'", True),
    ("missing == 'x'", False),
    ("missing != 'x'", False),                     # a comparison with null is false
    ("vip == true and type == 'sales'", False),    # keywords are case-insensitive
    ("vip == true or type == 'sales'", True),
])
def test_task_side(expr, expected):
    assert matches(expr, task=TASK) is expected


@pytest.mark.parametrize("expr, expected", [
    ("languages HAS 'es'", True),
    ("task.selected_language IN worker.languages", True),
    ("worker.level >= 2 AND team == 'billing'", True),
    ("skills CONTAINS 'support'", True),
    ("team IN ['sales']", False),
])
def test_worker_side_and_both(expr, expected):
    assert matches(expr, task=TASK, worker=WORKER, side="worker") is expected


@pytest.mark.parametrize("expr", [
    "", "a ==", "== 1", "a ~= 1", "(a == 1", "a == 1)", "a == [1, 2", "a IS 1", "a NOT 1",
    "x" * 5000,
])
def test_outside_the_subset_is_error_20001(expr):
    with pytest.raises(ExpressionError) as err:
        matches(expr, task=TASK)
    assert err.value.code == 20001 and err.value.status == 400
