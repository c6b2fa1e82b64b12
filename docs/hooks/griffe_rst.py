"""griffe extension: the package's docstrings, as the API reference renders them.

The docstrings are Google style with Sphinx roles (``:func:`~activity_schema.prepare```),
read by ``help()`` and the doctests. For the site, each role becomes a code span (its last
component when the target starts with ``~``, as Sphinx shows it), and an ``Example:``
section is read as Google's ``Examples:``, so that its doctest renders as code rather
than as a paragraph (where ``[(...), ...]`` would be taken for a cross-reference).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|meth|attr|exc|obj|const):`(~?)([^`]+)`")
_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    shown = target.rsplit(".", 1)[-1] if match.group(1) else target
    return f"`{shown}`"


def markdown_docstring(text: str) -> str:
    """Return ``text`` with Sphinx roles as code spans and ``Example:`` as ``Examples:``."""
    return _EXAMPLE.sub(r"\1Examples:", _ROLE.sub(_role, text))


class RstRoles(griffe.Extension):
    """Rewrite every loaded object's docstring with :func:`markdown_docstring`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring before mkdocstrings parses it."""
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
