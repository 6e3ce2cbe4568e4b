"""Runbook Markdown: what it renders, that nothing harmful survives it, and the section check."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.evidence.markdown import missing_sections, normalise_source, render_document, render_markdown
from ops_skills.evidence.models import RUNBOOK_SECTIONS, RUNBOOK_TEMPLATE, Runbook
from tests.evidence.xss_payloads import PAYLOADS, assert_harmless
from tests.factories import make_runbook, make_system

# Beyond the shared list: payloads aimed at what the runbook renderer adds (tables, fenced code,
# the table of contents, links, images as links).
RUNBOOK_PAYLOADS = [
    *PAYLOADS,
    "# <img src=x onerror=alert(1)>heading",
    "[TOC]\n\n# <script>alert(1)</script>\n\n## <a href=javascript:alert(1)>x</a>",
    '| a | b |\n| --- | --- |\n| <img src=x onerror=alert(1)> | <a href="javascript:alert(1)">x</a> |',
    "```javascript:alert(1)\nx\n```",
    '```" onmouseover="alert(1)\nx\n```',
    "[x](javascript&#58;alert(1))",
    "[x](java\nscript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x][img]\n\n[img]: data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="file:///etc/passwd">x</a>',
    "<img src=javascript:alert(1)>",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<video><source onerror="alert(1)"></video>',
    '<audio src=x onerror="alert(1)">',
    '<marquee onstart="alert(1)">x</marquee>',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<h2 id="x" onmouseover="alert(1)">x</h2>',
    '<code class="x" onclick="alert(1)">x</code>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<div class="toc" style="x" data-x="y">x</div>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<object type="text/x-scriptlet" data="https://evil.example/x"></object>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<<script>script>alert(1)<</script>/script>",
]

FORBIDDEN_TAGS = ["<script", "<iframe", "<object", "<embed", "<svg", "<style", "<math", "<img", "<form", "<base"]
TAG = re.compile(r"<[a-zA-Z][^>]*>")
QUOTED = re.compile(r'"[^"]*"')
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
BAD_URL = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data|file):""", re.I)


def check_harmless(html: str) -> None:
    """Both ways: as a browser would parse it (``assert_harmless``), and as text: no forbidden
    tag, and no tag with an event handler, a style, a srcdoc or a script-capable URL. Escaped
    text (``&lt;img onerror=…``) is only text, and may stay."""
    assert_harmless(html)
    lowered = html.lower()
    for tag in FORBIDDEN_TAGS:
        assert tag not in lowered, f"{tag} in: {html}"
    for tag in TAG.findall(html):
        names = QUOTED.sub('""', tag).lower()  # attribute names only: values may hold any text
        assert not EVENT_HANDLER.search(names), html
        assert "style=" not in names and "srcdoc" not in names, html
        assert not BAD_URL.search(tag), html


def test_there_are_enough_payloads():
    assert len(RUNBOOK_PAYLOADS) >= 60


@pytest.mark.parametrize("payload", RUNBOOK_PAYLOADS)
def test_payload_renders_harmless(payload):
    check_harmless(render_markdown(payload))


@pytest.mark.parametrize("payload", RUNBOOK_PAYLOADS)
def test_payload_table_of_contents_is_harmless(payload):
    check_harmless(render_document(payload).toc)


# Pieces that combine into the tricky cases: tags, handlers, schemes, entities, Markdown syntax.
PIECES = [
    "<", ">", "/", "=", '"', "'", " ", "\n", "`", "[", "]", "(", ")", "!", "#", "|", "-", ":", "&#", ";",
    "script", "img", "svg", "a", "iframe", "style", "src", "href", "onerror", "onload", "javascript",
    "data", "alert(1)", "x", "&#106;", "&lt;", "<!--", "-->", "```",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_mix_of_the_pieces_renders_harmless(text):
    check_harmless(render_markdown(text))
    check_harmless(render_document(text).toc)


def body_region(html: str) -> str:
    # Sanitised output never holds <article>, so the first </article> ends the body.
    match = re.search(r'<article class="card markdown runbook-body">(.*?)</article>', html, re.S)
    assert match, "the page shows no runbook body"
    return match.group(1)


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main")


# PostgreSQL cannot store a NUL byte in text, and the runbook form refuses one before it gets
# there (tested below), so the page only ever shows what could be saved.
STORABLE_PAYLOADS = [p for p in RUNBOOK_PAYLOADS if "\x00" not in p]


@pytest.mark.parametrize("payload", STORABLE_PAYLOADS)
def test_payload_is_harmless_on_the_runbook_page(client_for, member, system, payload):
    runbook = make_runbook(system, title="XSS", body=payload)
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    check_harmless(body_region(html))
    # The whole page may only have the app's own scripts, loaded from files.
    assert re.findall(r"<script[^>]*>", html) == [
        s for s in re.findall(r"<script[^>]*>", html) if re.search(r'src="/static/', s)
    ]


def test_the_runbook_form_refuses_a_nul_byte(client_for, lead, system):
    body = "<scr\x00ipt>alert(1)</scr\x00ipt>"
    data = {"system": system.pk, "title": "NUL", "review_interval_days": 30, "body": body}
    response = client_for(lead).post(reverse("evidence:runbook-create"), data)
    # Refused before the form, by RefuseNulMiddleware, with a message naming the field.
    assert response.status_code == 400
    assert "The field “body” contains a NUL character" in response.content.decode()
    assert not Runbook.objects.exists()


def test_a_title_is_escaped_on_the_page(client_for, member, system):
    runbook = make_runbook(system, title="<script>alert(1)</script>")
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# What it renders -------------------------------------------------------------------------------


def test_tables_render_with_alignment_but_no_style():
    html = render_markdown("| step | time |\n|:--|--:|\n| drain | 5 min |\n")
    assert "<table>" in html and '<th align="left">step</th>' in html
    assert '<td align="right">5 min</td>' in html
    assert "style" not in html


def test_fenced_code_keeps_its_language_and_escapes_its_content():
    html = render_markdown("```sh\naws rds describe-db-instances --query '<x>' && echo ok\n```\n")
    assert '<pre><code class="language-sh">' in html
    assert "&lt;x&gt;" in html and "&amp;&amp;" in html


def test_headings_get_slugified_ids_and_toc_marker_lists_them():
    html = render_markdown("[TOC]\n\n## Purpose\n\n## Roll back: the plan\n")
    assert '<h2 id="purpose">Purpose</h2>' in html
    assert '<h2 id="roll-back-the-plan">' in html
    assert '<div class="toc">' in html and 'href="#roll-back-the-plan"' in html
    assert "headerlink" not in html  # permalinks are off


def test_table_of_contents_is_returned_apart():
    document = render_document("# Title\n\n## Steps\n\ntext")
    assert 'href="#steps"' in document.toc
    assert document.headings == ("Title", "Steps")
    assert render_document("no headings").toc == ""


def test_links_get_rel_and_keep_safe_schemes():
    html = render_markdown("[docs](https://example.com/a?b=1) [mail](mailto:ops@example.com) [here](#steps)")
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="mailto:ops@example.com"' in html
    assert 'href="#steps"' in html
    assert html.count('rel="noopener noreferrer nofollow"') == 3


def test_images_become_links_to_the_image():
    html = render_markdown("![the dashboard](https://grafana.example/d.png) and more")
    assert "<img" not in html
    assert (
        '<a href="https://grafana.example/d.png" rel="noopener noreferrer nofollow">image: the dashboard</a> and'
        in (html)
    )


def test_lists_and_quotes_and_numbering_that_continues_after_code():
    html = render_markdown("1. one\n\n```\ncode\n```\n\n2. two\n\n> note\n\n- a\n- b\n")
    assert '<ol start="2">' in html
    assert "<blockquote>" in html and "<ul>" in html


def test_unknown_classes_and_ids_are_dropped():
    html = render_markdown('<div class="navbar">x</div><h2 id="a b">y</h2><code class="evil">z</code>')
    assert "navbar" not in html and 'id="a b"' not in html and "evil" not in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_template_filter_uses_the_same_renderer():
    html = Template("{% load markdown_tags %}{{ text|markdown }}").render(
        Context({"text": "**bold** <script>alert(1)</script>"})
    )
    assert "<strong>bold</strong>" in html and "<script" not in html


# Sections --------------------------------------------------------------------------------------


def test_the_template_has_every_section():
    assert missing_sections(RUNBOOK_TEMPLATE) == []


def test_missing_sections_are_listed_in_the_format_order():
    assert missing_sections("## Steps\n\nx") == ["Purpose", "Preconditions", "Verification", "Rollback"]
    assert missing_sections("") == RUNBOOK_SECTIONS


def test_any_heading_level_and_case_counts():
    text = "# PURPOSE\n\nPreconditions\n-------------\n\n#### steps\n\n### 4. Verification:\n\n## Rollback plan\n"
    assert missing_sections(text) == []


def test_a_word_that_only_starts_like_a_section_does_not_count():
    assert "Steps" in missing_sections("## Stepsister\n")


def test_headings_in_code_blocks_and_plain_text_do_not_count():
    text = "Purpose: restore.\n\n```\n# Rollback\n```\n\n    # Steps\n"
    assert missing_sections(text) == RUNBOOK_SECTIONS


def test_normalise_source_makes_web_and_file_text_compare_equal():
    assert normalise_source("\r\n\r\n## Purpose\r\n\r\nx  \r\n\r\n") == "## Purpose\n\nx\n"
    assert normalise_source("    indented code\n") == "    indented code\n"
    assert normalise_source("  \n") == ""
