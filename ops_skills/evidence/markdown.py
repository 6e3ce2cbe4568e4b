"""User Markdown (runbooks, evidence notes) turned into HTML that is safe to put on a page.

Python-Markdown passes raw HTML through and does not care about URL schemes, so its output is
never trusted: nh3 (ammonia) then keeps only an explicit allowlist of tags, attributes and URL
schemes. Nothing reaches a template without that second step.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ops_skills.evidence.models import RUNBOOK_SECTIONS

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


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    toc: SafeString  # the table of contents, an empty string when there are no headings
    headings: tuple[str, ...]  # the text of every heading, in order

    def missing_sections(self) -> list[str]:
        return _missing_sections(self.headings)


def _new_markdown() -> markdown.Markdown:
    # A fresh instance each time: Markdown objects keep state between conversions.
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "toc", "sane_lists", _ImagesAsLinksExtension()],
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
    md = _new_markdown()
    body = md.convert(text or "")
    headings = tuple(html.unescape(token["name"]) for token in _flatten(md.toc_tokens))
    toc = sanitise(md.toc) if md.toc_tokens else ""
    return Rendered(html=mark_safe(sanitise(body)), toc=mark_safe(toc), headings=headings)


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


def _missing_sections(headings) -> list[str]:
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
    while lines and not lines[0].strip():
        lines.pop(0)
    text = "\n".join(lines).rstrip()
    return text + "\n" if text else ""
