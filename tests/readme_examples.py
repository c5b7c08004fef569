"""The examples of README.rst, as the README test runs them.

Every ``.. code-block:: LANG`` and every literal block (a paragraph ending in ``::``, read as
shell) is an example.  Python, shell and JavaScript examples run; data blocks (yaml, json,
text, ...) do not.  An example whose body has a comment ``readme-test: skip: REASON``, or
that follows an RST comment ``.. readme-test: skip: REASON``, is not run, and must say why.
Placeholders are declared once in an RST comment::

    .. readme-test: ...
       placeholder http://127.0.0.1:8080 = server-url
"""

import re
import textwrap

RUN = {"python": "python", "py": "python", "shell": "shell", "bash": "shell", "sh": "shell",
       "javascript": "node", "js": "node", "node": "node",
       "console": "shell", "shell-session": "shell", "pycon": "python"}
PROMPTS = {"console": ("$ ", "  "), "shell-session": ("$ ", "  "), "pycon": (">>> ", "... ")}
DATA = {"yaml", "json", "text", "none", "ini", "toml", "rst", "html", "xml", "sql", "http"}
SKIP = re.compile(r"readme-test:\s*skip\b:?\s*(.*)")
CODE_SKIP = re.compile(r"(?:#|//)\s*readme-test:\s*skip\b:?\s*(.*)")
PLACEHOLDER = re.compile(r"^\s*placeholder\s+(\S+)\s*=\s*(\S+)\s*$")


class Example:
    def __init__(self, line, lang, code, skip=None):
        self.line, self.lang, self.code, self.skip = line, lang, code, skip

    @property
    def kind(self):
        return RUN.get(self.lang) or ("data" if self.lang in DATA else None)

    def __repr__(self):
        return f"L{self.line}-{self.lang}"


def _indent(line):
    return len(line) - len(line.lstrip())


def examples(text):
    lines = text.split("\n")
    found, pending_skip = [], None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        m = SKIP.search(stripped)
        if stripped.startswith("..") and m:
            pending_skip = m.group(1).strip() or ""
        lang = None
        if stripped.startswith(".. code-block::") or stripped.startswith(".. code::"):
            lang = (stripped.split("::", 1)[1].strip() or "none").lower()
        elif stripped.endswith("::") and not stripped.startswith(".."):
            lang = "shell"
        if lang is None:
            i += 1
            continue
        base, start, j = _indent(line), i + 1, i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")
                                  and _indent(lines[j]) > base):
            j += 1
        body = [ln for ln in lines[start:j] if not ln.strip().startswith(":")
                or not stripped.startswith("..")]  # directive options (:linenos:) are no code
        code = textwrap.dedent("\n".join(body)).strip("\n")
        if lang in PROMPTS:
            code = _from_session(code, *PROMPTS[lang])
        if code:
            skip = pending_skip
            for code_line in code.splitlines():
                m = CODE_SKIP.search(code_line)
                if m:
                    skip = m.group(1).strip()
            found.append(Example(start + 1, lang, code + "\n", skip))
            pending_skip = None
        i = j
    return found


def _from_session(code, first, more):
    """A console or pycon session: what follows the prompts (and a shell line's ``\\``
    continuations) runs; the rest is output."""
    kept = []
    for ln in code.splitlines():
        if ln.startswith(first):
            kept.append(ln[len(first):])
        elif more.strip() and ln.startswith(more):
            kept.append(ln[len(more):])
        elif kept and kept[-1].endswith("\\"):
            kept.append(ln)
    return "\n".join(kept)


def placeholders(text):
    """``{literal: kind}`` from the README's ``.. readme-test:`` comment."""
    out = {}
    in_comment = False
    for line in text.split("\n"):
        if line.startswith(".. readme-test:"):
            in_comment = True
            continue
        if in_comment and line.startswith("   "):
            m = PLACEHOLDER.match(line)
            if m:
                out[m.group(1)] = m.group(2)
            continue
        in_comment = False
    return out


def substitute(code, values):
    for literal in sorted(values, key=len, reverse=True):
        code = code.replace(literal, values[literal])
    return code
