"""pytest fixtures for twilio-conf-emulator (registered through the ``pytest11`` entry point)."""
