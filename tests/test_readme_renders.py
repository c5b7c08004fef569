"""README.rst is valid reStructuredText: a broken table or a stray merge line shows up as a
docutils warning here, not as garbled text on the package page."""

import io
import os

import docutils.core

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.rst")


def test_readme_renders_without_a_warning():
    with open(README, encoding="utf-8") as fh:
        source = fh.read()
    warnings = io.StringIO()
    docutils.core.publish_string(source, writer_name="html", settings_overrides={
        "warning_stream": warnings, "report_level": 2, "halt_level": 5})
    assert warnings.getvalue() == ""
