"""``DEFAULT``: a ``<Conference>``'s waitUrl when the attribute is absent, Twilio's own hold
music. It lives apart from the TwiML model so the conference engine can tell it from a URL
without loading the interpreter (issue 11)."""

# What <Conference> plays when no waitUrl is given (TC-DOC).  Fetched with GET.
TWILIO_HOLD_MUSIC_URL = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"


class _DefaultWaitUrl:
    """``Conference.wait_url`` when the attribute is absent: Twilio's own hold music.
    Distinct from ``""``, which means play nothing."""

    url = TWILIO_HOLD_MUSIC_URL

    def __repr__(self) -> str:
        return "DEFAULT"

    def __reduce__(self) -> str:  # stays a singleton through copy/pickle
        return "DEFAULT"


DEFAULT = _DefaultWaitUrl()
