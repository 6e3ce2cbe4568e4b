"""User Markdown (runbooks, evidence notes) turned into HTML that is safe to put on a page.

Python-Markdown passes raw HTML through and does not care about URL schemes, so its output is
never trusted: nh3 (ammonia) then keeps only an explicit allowlist of tags, attributes and URL
schemes. Nothing reaches a template without that second step.

Python-Markdown also does quadratic work on some input (its issue #798): every ``[`` scans ahead
for its ``]``, every run of backticks for its closing run, every ``<`` that starts a tag for its
``>``, a block's lines are split again after each heading in it, and list markers nested on one
line recurse until Python gives up. A few KB of ``[`` took seconds. So before and during the
conversion the shapes that would cost more than a budget are made plain text (escaped, or the
element's text left as it is written); a normal document is not touched
(``tests/evidence/test_markdown_limits.py``; ``bench/markdown_render.py`` measures it).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from bisect import bisect_left
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from ops_skills.evidence.models import RUNBOOK_BODY_MAX_LENGTH, RUNBOOK_SECTIONS

# Work budgets (see the module's docstring). Normal documents stay below them: the example runbooks,
# README.md and the tests' normal documents render exactly as without the guards.
MAX_RENDERED_LENGTH = RUNBOOK_BODY_MAX_LENGTH  # longer text (older than the input caps) is shown as text
MAX_NESTING = 16  # list or quote markers at the start of one line
INLINE_SCAN_BUDGET = 300_000  # characters link and code span scans may read, in one document
# Each inline match rebuilds the element's text: its special characters × its length, in one document.
INLINE_COPY_BUDGET = 100_000_000
HTML_SCAN_BUDGET = 2_000_000  # characters the HTML parser may read looking for the ends of tags
BLOCK_SPLIT_BUDGET = 1_000_000  # in one block of lines: its headings and rules × its lines

ALLOWED_TAGS = {
    *(f"h{n}" for n in range(1, 7)),
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "div",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "div": {"class"},
}
# Removed together with everything inside them, not just unwrapped.
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript", "textarea"}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_HEADING_ID = re.compile(r"[A-Za-z0-9_-]{1,120}")
_ALIGN = {"left", "right", "center"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Narrow the allowed attributes to the values Python-Markdown produces: a fenced block's
    ``language-…`` class, the table of contents' ``toc`` class, plain heading ids, alignments and
    list start numbers."""
    if attribute == "class":
        if tag == "code" and _LANGUAGE_CLASS.fullmatch(value):
            return value
        if tag == "div" and value == "toc":
            return value
        return None
    if attribute == "id":
        return value if _HEADING_ID.fullmatch(value) else None
    if attribute == "align":
        return value if value in _ALIGN else None
    if attribute == "start":
        return value if value.isdigit() and len(value) < 7 else None
    return value


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=URL_SCHEMES,
    )


class _ImagesAsLinks(Treeprocessor):
    """``![alt](url)`` becomes a link to the image. The site's CSP only loads its own images, and a
    runbook should not fetch remote content (or a tracking pixel) whenever someone opens it."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in parent:
                if child.tag != "img":
                    continue
                alt, src, title = child.get("alt") or "", child.get("src") or "", child.get("title")
                tail = child.tail
                child.clear()
                child.tail = tail
                child.tag = "a"
                child.set("href", src)
                if title:
                    child.set("title", title)
                child.text = f"image: {alt}" if alt else "image"


class _ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md):
        # After the inline patterns (priority 20) have made the <img> elements, before toc (5).
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 15)


# Guards ------------------------------------------------------------------------------------------

_MARKER = re.compile(r"[ ]{0,3}(>|[*+-](?=[ \t])|\d{1,9}\.(?=[ \t]))[ \t]*")
# A line that ends a block early, as Python-Markdown reads it: an ATX heading (no space needed),
# a setext underline, a horizontal rule.
_SPLITS_BLOCK = re.compile(r"#|[=-]+[ ]*$|[ ]{0,3}(?:(?:-[ ]*){3,}|(?:_[ ]*){3,}|(?:\*[ ]*){3,})$")
_TAG_START = re.compile(r"</?[A-Za-z]")
_INLINE_OPENERS = re.compile(r"\\.|[\[\]()]|`+", re.S)
_INLINE_SPECIAL = re.compile(r"[\\`*_\[<&~]|  \n")


@dataclass
class Guarded:
    """The source Python-Markdown is given, and what the guards changed on the way."""

    text: str
    deep_lines: int = 0  # lines whose list or quote markers beyond MAX_NESTING were escaped
    split_blocks: int = 0  # blocks given a blank line after each heading or rule
    escaped_tags: int = 0  # "<" of tags that never end, written as "&lt;"
    plain_texts: int = 0  # element texts shown as plain text, over the inline budgets (while converting)

    @property
    def changed(self) -> bool:
        return bool(self.deep_lines or self.split_blocks or self.escaped_tags or self.plain_texts)


def _limit_nesting(line: str) -> str | None:
    """The line with the marker after MAX_NESTING nested ones escaped, or None when it has fewer."""
    position = 0
    for _ in range(MAX_NESTING):
        match = _MARKER.match(line, position)
        if match is None:
            return None
        position = match.end()
    match = _MARKER.match(line, position)
    if match is None:
        return None
    at = match.end(1) - 1  # "-", "*", "+", ">" or the "." of "1."
    return f"{line[:at]}\\{line[at:]}"


def _fenced_lines(text: str) -> set[int]:
    """The numbers (0-based) of the lines in fenced code blocks, found as the fenced_code
    extension finds them; they are taken out before blocks are split, so no guard touches them."""
    fenced, line, position = set(), 0, 0
    for match in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text):
        if match.group("attrs"):
            continue  # "{…}" the extension may refuse: not counted as code
        line += text.count("\n", position, match.start())
        last = line + text.count("\n", match.start(), match.end())
        fenced.update(range(line, last + 1))
        line, position = last, match.end()
    return fenced


def _split_crowded_blocks(lines: list[str], fenced: set[int]) -> int:
    """Python-Markdown splits a block again after each heading or rule in it, each time reading
    all of its lines: past BLOCK_SPLIT_BUDGET, a blank line after each makes them blocks of their
    own. Changes ``lines`` in place (never lines of fenced code); returns how many blocks it split."""
    split, start, count = 0, 0, len(lines)
    while start < count:
        if not lines[start].strip():
            start += 1
            continue
        end = start
        while end < count and lines[end].strip():
            end += 1
        splitting = [n for n in range(start, end) if n not in fenced and _SPLITS_BLOCK.match(lines[n])]
        if len(splitting) * (end - start) > BLOCK_SPLIT_BUDGET:
            for n in splitting:
                lines[n] += "\n"
            split += 1
        start = end
    return split


def _tag_ends(text: str) -> list[int]:
    """For each tag start (``_TAG_START``), where the HTML parser's scan for its end stops: the
    first ``>`` outside quotes, or the end of the text. Quoted values may hold ``>`` and ``<``,
    so a tag whose quotes never close reads to the end. Linear: the end from each quote or ``>``
    is worked out once, from the last one back."""
    length = len(text)
    stops = [m.start() for m in re.finditer("['\">]", text)]
    end_from = [length] * (len(stops) + 1)  # the end of a scan starting at stops[i]
    for index in range(len(stops) - 1, -1, -1):
        at = stops[index]
        if text[at] == ">":
            end_from[index] = at
            continue
        closing = text.find(text[at], at + 1)
        end_from[index] = length if closing == -1 else end_from[bisect_left(stops, closing + 1)]
    return [end_from[bisect_left(stops, m.start())] for m in _TAG_START.finditer(text)]


def html_scan_cost(text: str) -> int:
    """How far the HTML parser may read for the ends of tags, in all: from each tag start to
    where its scan stops (``_tag_ends``)."""
    return sum(end - m.start() for m, end in zip(_TAG_START.finditer(text), _tag_ends(text), strict=True))


def _escape_endless_tags(text: str) -> tuple[str, int]:
    """Past HTML_SCAN_BUDGET, every tag start whose scan would run past the next ``<`` (or to the
    end) becomes text, ``&lt;``. The scans left then never overlap: linear."""
    if html_scan_cost(text) <= HTML_SCAN_BUDGET:
        return text, 0
    pieces, done, escaped = [], 0, 0
    for match, end in zip(_TAG_START.finditer(text), _tag_ends(text), strict=True):
        start = match.start()
        next_open = text.find("<", start + 1)
        if end >= len(text) or (next_open != -1 and end > next_open):
            pieces.extend((text[done:start], "&lt;"))
            done = start + 1
            escaped += 1
    pieces.append(text[done:])
    return "".join(pieces), escaped


def guard_source(text: str) -> Guarded:
    """The source with the shapes that would make Python-Markdown recurse too deep or read
    quadratically made plain text; linear in the length of the text."""
    lines = text.split("\n")
    deep = 0
    for number, line in enumerate(lines):
        limited = _limit_nesting(line)
        if limited is not None:
            lines[number] = limited
            deep += 1
    split = _split_crowded_blocks(lines, _fenced_lines(text))
    text, escaped = _escape_endless_tags("\n".join(lines))
    return Guarded(text=text, deep_lines=deep, split_blocks=split, escaped_tags=escaped)


def inline_scan_cost(text: str) -> int:
    """How many characters Python-Markdown's link and code span patterns may read in one element's
    text: each ``[`` to its ``]`` (or the end), then a ``(`` right after it to its ``)``, and each
    run of backticks to the next run as long (or the end). An upper bound, linear to work out."""
    length = len(text)
    openers, brackets, parens, paren_ends, runs = [], {}, [], {}, []
    stack: list[int] = []
    for match in _INLINE_OPENERS.finditer(text):
        token, at = match.group(), match.start()
        if token[0] == "\\":
            continue
        if token == "[":
            openers.append(at)
            stack.append(at)
        elif token == "]":
            if stack:
                brackets[stack.pop()] = at
        elif token == "(":
            parens.append(at)
        elif token == ")":
            if parens:
                paren_ends[parens.pop()] = at
        else:
            runs.append((at, len(token)))
    cost = 0
    for at in openers:
        end = brackets.get(at)
        cost += (length if end is None else end) - at
        if end is not None and text.startswith("(", end + 1):
            cost += paren_ends.get(end + 1, length) - end
    # A code span's opener may be any tail of a run (Python-Markdown resumes inside a run after
    # an opener that found no closer): each tail reads to the next run exactly as long.
    nearest: dict[int, int] = {}  # run length: where the nearest following run of it starts
    for at, size in reversed(runs):
        cost += sum(nearest.get(ticks, length) - at for ticks in range(1, size + 1))
        nearest[size] = at
    return cost


def inline_copy_cost(text: str) -> int:
    """What the inline patterns may copy for one element's text: each match (at most one for each
    special character) rebuilds the text."""
    return len(_INLINE_SPECIAL.findall(text)) * len(text)


class _InlineBudget(Treeprocessor):
    """Before the inline patterns (priority 20) read the text of each element: once the document
    would go over INLINE_SCAN_BUDGET or INLINE_COPY_BUDGET, an element's text is left as plain
    text (an ``AtomicString``, which the inline patterns skip and the serialiser escapes)."""

    def __init__(self, md, guarded: Guarded):
        super().__init__(md)
        self.guarded = guarded

    def run(self, root: etree.Element) -> None:
        scans, copies = INLINE_SCAN_BUDGET, INLINE_COPY_BUDGET
        for element in root.iter():
            for name in ("text", "tail"):
                value = getattr(element, name)
                if not value or isinstance(value, AtomicString):
                    continue
                scan, copy = inline_scan_cost(value), inline_copy_cost(value)
                if scan > scans or copy > copies:
                    setattr(element, name, AtomicString(value))
                    self.guarded.plain_texts += 1
                else:
                    scans, copies = scans - scan, copies - copy


class _InlineBudgetExtension(Extension):
    def __init__(self, guarded: Guarded):
        super().__init__()
        self.guarded = guarded

    def extendMarkdown(self, md):
        md.treeprocessors.register(_InlineBudget(md, self.guarded), "inline_budget", 25)


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    toc: SafeString  # the table of contents, an empty string when there are no headings
    headings: tuple[str, ...]  # the text of every heading, in order

    def missing_sections(self) -> list[str]:
        return missing_from_headings(self.headings)


def _new_markdown(guarded: Guarded | None = None) -> markdown.Markdown:
    # A fresh instance each time: Markdown objects keep state between conversions. Without
    # ``guarded``, no inline budget (the tests compare with that).
    extensions = ["tables", "fenced_code", "toc", "sane_lists", _ImagesAsLinksExtension()]
    if guarded is not None:
        extensions.append(_InlineBudgetExtension(guarded))
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={
            "tables": {"use_align_attribute": True},  # align="…" rather than a style attribute
            "toc": {"permalink": False},
        },
        output_format="html",
    )


def _flatten(tokens: list[dict]) -> list[dict]:
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token["children"]))
    return flat


def render_document(text: str) -> Rendered:
    """The sanitised HTML, the table of contents and the headings of a Markdown document, from
    one conversion."""
    text = text or ""
    if len(text) > MAX_RENDERED_LENGTH:
        return _as_text(text)
    guarded = guard_source(text)
    md = _new_markdown(guarded)
    try:
        body = md.convert(guarded.text)
    except RecursionError:  # nesting the guards did not foresee: shown as it was written
        return _as_text(text)
    headings = tuple(html.unescape(token["name"]) for token in _flatten(md.toc_tokens))
    toc = sanitise(md.toc) if md.toc_tokens else ""
    return Rendered(html=mark_safe(sanitise(body)), toc=mark_safe(toc), headings=headings)


def _as_text(text: str) -> Rendered:
    return Rendered(html=mark_safe(f"<pre>{html.escape(text)}</pre>"), toc=mark_safe(""), headings=())


def render_markdown(text: str) -> SafeString:
    """Markdown (tables, fenced code, heading ids, ``[TOC]``) as sanitised HTML."""
    return render_document(text).html


def _normalise_heading(text: str) -> str:
    text = re.sub(r"^\s*\d+[.)]\s*", "", text)  # "1. Purpose"
    return text.strip().rstrip(":").strip().casefold()


def missing_sections(text: str) -> list[str]:
    """The sections of the team's runbook format (``RUNBOOK_SECTIONS``) that have no heading.

    A heading of any level counts when it is the section's name, case aside, optionally numbered
    or followed by more words ("Rollback plan", "Steps: restore"). Headings inside code blocks do
    not count, because they are found by rendering the Markdown."""
    return render_document(text).missing_sections()


def missing_from_headings(headings) -> list[str]:
    """The sections of ``RUNBOOK_SECTIONS`` that none of these heading texts names."""
    normalised = [_normalise_heading(h) for h in headings]
    missing = []
    for section in RUNBOOK_SECTIONS:
        name = section.casefold()
        if not any(h == name or (h.startswith(name) and not h[len(name)].isalnum()) for h in normalised):
            missing.append(section)
    return missing


def normalise_source(text: str) -> str:
    """Markdown source as it is stored: LF line endings, no blank lines or trailing spaces at either
    end, one final newline. A web save and an import of the same text then compare equal, so
    neither makes a revision out of nothing."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    text = "\n".join(lines[first:]).rstrip()
    return text + "\n" if text else ""
