"""The app's URL rules still build URLs (``url_for``), though their builders are compiled only
when first used (app.BuildOnFirstUseRule)."""

from flask import url_for

from twilio_conf_emulator.app import BuildOnFirstUseRule, shared_app

ACCOUNT = "AC" + "a" * 32


def test_urls_build_from_the_apps_rules():
    app = shared_app()
    assert all(isinstance(rule, BuildOnFirstUseRule) for rule in app.url_map.iter_rules())
    with app.test_request_context():
        path = url_for("api.fetch_participant", account_sid=ACCOUNT, conference_sid="CF1",
                       call_sid="CA2")
        # A value the rule does not take becomes the query string (the other builder).
        with_query = url_for("api.list_participants", account_sid=ACCOUNT,
                             conference_sid="CF1", Muted="true")
        again = url_for("api.fetch_participant", account_sid=ACCOUNT, conference_sid="CF3",
                        call_sid="CA4")
    assert path == f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/CF1/Participants/CA2.json"
    assert with_query == f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/CF1/Participants.json?Muted=true"
    assert again == f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/CF3/Participants/CA4.json"
