"""SQLAlchemy store."""

# ``serve``'s store when ``--db`` is not given (here, not in ``db``: the CLI's help needs it
# without importing SQLAlchemy).
DEFAULT_SERVE_DB = "sqlite:///twilio-conf-emulator.db"
