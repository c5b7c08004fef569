"""The media layer's error, importable without numpy (the engine catches it everywhere)."""


class AudioError(ValueError):
    """An AudioRef that cannot be turned into sound (unreadable file, unknown kind)."""
