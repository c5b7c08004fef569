"""The less used REST resources' views load on their first request (api/late_views.py): every
route declared there names a view that exists, and a first request loads it and answers."""

import importlib

import pytest

from twilio_conf_emulator.api import late_views


@pytest.mark.parametrize("rule, methods, where", late_views.ROUTES)
def test_every_late_route_names_a_view_of_its_module(rule, methods, where):
    module, _, name = where.partition(":")
    view = getattr(importlib.import_module(f"twilio_conf_emulator.api.{module}"), name)
    assert callable(view) and view.__name__ == name


def test_each_late_route_is_served_under_its_views_name(emu):
    rules = {(r.rule, m): r.endpoint for r in emu.app.url_map.iter_rules()
             for m in r.methods - {"HEAD", "OPTIONS"}}
    for rule, methods, where in late_views.ROUTES:
        for method in methods:
            assert rules[("/2010-04-01" + rule, method)] == "api." + where.partition(":")[2]
