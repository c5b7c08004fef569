"""GET status callbacks validate in a Flask app with ``request.url``, the way users check them."""

from flask import Flask, request
from twilio.request_validator import RequestValidator


def test_get_conference_callbacks_validate_against_flask_request_url(emu):
    app = Flask(__name__)
    verdicts = []

    @app.get("/conf")
    def conf():
        validator = RequestValidator(emu.auth_token)
        verdicts.append(validator.validate(request.url, {},
                                           request.headers["X-Twilio-Signature"]))
        return ""

    emu.deliver_webhooks_to(app)
    client = emu.client
    for n in ("+15551230001", "+15551230002"):
        client.conferences("Sales: Q1, 2026").participants.create(
            from_="+15550000000", to=n,
            conference_status_callback="https://app.test/conf",
            conference_status_callback_method="GET",
            conference_status_callback_event="start end join leave")
    emu.advance(5)
    sid = client.conferences.list(friendly_name="Sales: Q1, 2026")[0].sid
    client.conferences(sid).update(status="completed")
    emu.advance(1)
    assert len(verdicts) == 6  # join, join, start, leave, leave, end
    assert all(verdicts), verdicts
    # The Timestamp (with ',' and ':') went out unescaped but still signed as sent.
    sent = emu.webhooks.all(kind="conference-status")
    assert all(e["method"] == "GET" and "Timestamp=" in e["url"] for e in sent)
