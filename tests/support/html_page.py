"""Parse an HTML page into a small tree that tests can query (the HTML report's tests).

The standard library's tokenizer does the parsing (character references decoded, as a
browser would show them); this module only nests the elements. It also reads a page
serialized by a browser (``chromium --dump-dom``), which closes every element.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["BAD", "Node", "parse_page"]

#: An export for the HTML report's tests. Row 2: invalid email; row 3 repeats row 1
#: (warning); row 4: an email to normalize; row 5: markup as an email (invalid); row 6:
#: an attribute breaker and a "null" type (emptied, then missing: an error).
BAD = (
    "activityId,email,type\n"
    "1,a@example.com,Registered\n"
    "2,b@example,Attended\n"
    "1,a@example.com,Registered\n"
    "3, C@EXAMPLE.COM ,Attended\n"
    "4,<script>alert(1)</script>,Attended\n"
    '5,"x@example.com"" onmouseover=""alert(2)",null\n'
)


#: Elements that have no end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(eq=False)
class Node:
    """An element: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """Return the attribute ``name`` (None when absent or without a value)."""
        return self.attrs.get(name)

    def text(self) -> str:
        """Return the text of the element and its descendants, as a browser shows it."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        """Yield this element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Return the elements named ``tag`` (any when None) whose attributes match."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and all(node.attrs.get(k) == v for k, v in wanted.items())
        ]

    def by_id(self, ident: str) -> Node:
        """Return the element whose id is ``ident`` (there must be exactly one)."""
        found = self.find_all(id=ident)
        if len(found) != 1:
            raise LookupError(f"{len(found)} elements have the id {ident!r}")
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        open_tags = [node.tag for node in self.stack]
        if tag not in open_tags[1:]:
            raise ValueError(f"end tag </{tag}> closes no open element")
        while self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_page(page: str) -> tuple[Node, str | None]:
    """Return the tree of ``page`` and its doctype; unclosed elements are refused."""
    builder = _Builder()
    builder.feed(page)
    builder.close()
    unclosed = [node.tag for node in builder.stack[1:]]
    if unclosed:
        raise ValueError(f"elements left open: {unclosed}")
    return builder.root, builder.doctype
