"""The package version (one place; ``setup.cfg`` and ``/_emulator/health`` read it)."""

__version__ = "0.1.0"
