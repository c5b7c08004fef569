"""SQLAlchemy store."""
