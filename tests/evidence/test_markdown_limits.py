"""Rendering user Markdown stays cheap whatever the text (issue 12): Python-Markdown's quadratic
scans and deep recursion (its issue #798) are counted, not timed. Normal documents render exactly
as plain Python-Markdown renders them. Timings are in ``bench/markdown_render.py``."""

import ast
from pathlib import Path

import markdown as python_markdown
import pytest
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import BacktickInlineProcessor, LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor

from ops_skills.evidence import markdown
from ops_skills.evidence.models import RUNBOOK_TEMPLATE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples/runbooks").glob("*.md"))
NORMAL = [
    RUNBOOK_TEMPLATE,
    "## Steps\n\n1. Run `kubectl get pods -l app=[web]`\n2. See [the docs](https://example.com/a_(b)) and "
    "![graph](https://grafana.example/g.png)\n\n| a | b |\n|---|---|\n| `x|y` | [l](#steps) |\n",
    "> quoted\n> > twice\n\n- a\n    - b\n        - c\n\n<details><summary>More</summary>\n\ntext\n\n</details>\n",
    "```bash\nif [[ -f x ]]; then echo '<b' \"a[\" ; fi\n```\n\nA < B and C > D, 3 * 4 * 5, snake_case_name.\n",
    "Setext\n======\n\n# One\n## Two\ntext  \nbreak\n\n---\n\n[ref][x] and [x]\n\n[x]: https://example.com 'T'\n",
    "\n".join(f"- [link {n}](https://example.com/{n}) and `code {n}`" for n in range(300)),
    "\n".join(f"# Heading {n}\ntext {n} with *em* and **strong**" for n in range(200)),
]


def plain(text: str) -> str:
    """The HTML of the same Markdown set-up with no guards, sanitised the same way."""
    return markdown.sanitise(markdown._new_markdown().convert(text))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_runbooks_render_as_before(path):
    text = path.read_text()
    assert not markdown.guard_source(text).changed
    assert markdown.render_markdown(text) == plain(text)


@pytest.mark.parametrize("text", NORMAL)
def test_normal_documents_render_as_before(text):
    assert not markdown.guard_source(text).changed
    assert markdown.render_markdown(text) == plain(text)


@pytest.fixture
def scans(monkeypatch):
    """Characters read by the link, link-target and code span scans, and by every inline match
    (each rebuilds the element's text), while rendering."""
    read = {"scan": 0, "copy": 0}
    get_text, get_link = LinkInlineProcessor.getText, LinkInlineProcessor.getLink
    find_code_spans = BacktickInlineProcessor.find_code_spans
    apply_pattern = InlineProcessor._InlineProcessor__applyPattern

    def counted_get_text(self, data, index):
        result = get_text(self, data, index)
        read["scan"] += result[1] - index
        return result

    def counted_get_link(self, data, index):
        result = get_link(self, data, index)
        read["scan"] += max(result[2] - index, 0)
        return result

    def counted_code_spans(self, start, text):
        result = find_code_spans(self, start, text)
        read["scan"] += (len(text) if result[1] is None else result[1]) - start
        return result

    def counted_apply(self, pattern, data, index, start=0):
        read["copy"] += len(data)
        return apply_pattern(self, pattern, data, index, start)

    monkeypatch.setattr(LinkInlineProcessor, "getText", counted_get_text)
    monkeypatch.setattr(LinkInlineProcessor, "getLink", counted_get_link)
    monkeypatch.setattr(BacktickInlineProcessor, "find_code_spans", counted_code_spans)
    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counted_apply)
    return read


# Each of these reads quadratically in plain Python-Markdown (over the budget at this size: 1,500
# "[" make 3 million characters of link scans, 7 s at 4,000).
QUADRATIC = {
    "brackets": "[" * 1500,
    "image brackets": "![" * 800,
    "a bracket a line": "[\n" * 800,
    "nested brackets": "[" * 800 + "]" * 800,
    "open link targets": "[a](" * 500,
    "reference links": "[a][" * 500,
    "backticks": "``a`" * 600,
}


@pytest.mark.parametrize("text", QUADRATIC.values(), ids=QUADRATIC.keys())
def test_link_and_code_span_scans_stay_within_the_budget(scans, text):
    assert markdown.inline_scan_cost(text) > markdown.INLINE_SCAN_BUDGET  # the shape is costly
    markdown.render_markdown(text)
    assert scans["scan"] <= markdown.INLINE_SCAN_BUDGET


def test_many_inline_matches_in_one_text_stay_within_the_copy_budget(scans):
    text = "\\\\" * 10_000 + "*a" * 2_000  # every pair an escape, every star emphasis
    markdown.render_markdown(text)
    assert scans["copy"] <= markdown.INLINE_COPY_BUDGET


def test_a_text_over_the_budget_is_shown_as_plain_text():
    html = markdown.render_markdown("[" * 1500 + " <b>and</b> `x`")
    assert "[" * 1500 in html
    assert "&lt;b&gt;and&lt;/b&gt;" in html  # escaped text, not a tag
    assert "<code>" not in html


def test_normal_links_are_not_counted_against_the_budget():
    many = "\n\n".join(f"See [runbook {n}](https://example.com/{n}) or `step {n}`." for n in range(1200))
    assert markdown.inline_scan_cost(many) < markdown.INLINE_SCAN_BUDGET
    assert markdown.render_markdown(many).count("<a href=") == 1200


@pytest.mark.parametrize("marker", ["- ", "* ", "+ ", "1. ", "> ", ">"])
def test_markers_nested_on_one_line_do_not_recurse_too_deep(marker):
    text = marker * 3000 + "x"  # plain Python-Markdown: RecursionError, a 500 on the page
    html = markdown.render_markdown(text)
    assert html.count("<ul>") + html.count("<ol>") + html.count("<blockquote>") <= markdown.MAX_NESTING
    assert markdown.guard_source(text).deep_lines == 1


def test_nesting_the_guards_miss_is_shown_as_text(monkeypatch):
    monkeypatch.setattr(markdown, "MAX_NESTING", 10_000)
    html = markdown.render_markdown("- " * 3000 + "<x>")
    assert html.startswith("<pre>") and html.endswith("&lt;x&gt;</pre>")


def test_a_text_longer_than_any_input_cap_is_shown_as_text():
    text = "# Title\n\n" + "word " * (markdown.MAX_RENDERED_LENGTH // 5)
    document = markdown.render_document(text)
    assert document.html.startswith("<pre># Title") and document.headings == ()


@pytest.fixture
def converted(monkeypatch):
    """The source Python-Markdown is given."""
    seen = []
    convert = python_markdown.Markdown.convert

    def spy(self, source):
        seen.append(source)
        return convert(self, source)

    monkeypatch.setattr(python_markdown.Markdown, "convert", spy)
    return seen


@pytest.mark.parametrize("text", ["a<b " * 3000, "<a " * 3000, "<b x='>' " * 2000, "</a " * 3000])
def test_tags_that_never_end_are_text_before_the_html_parser_reads_them(converted, text):
    assert markdown.html_scan_cost(text) > markdown.HTML_SCAN_BUDGET
    markdown.render_markdown(text)
    assert markdown.html_scan_cost(converted[-1]) <= markdown.HTML_SCAN_BUDGET


def test_the_html_scan_follows_quotes_past_a_closing_bracket():
    assert markdown.html_scan_cost("<b x='>' y>") == len("<b x='>' y")
    assert markdown.html_scan_cost("<b x='>") == len("<b x='>")  # the quote never closes


@pytest.fixture
def table_test_lines(monkeypatch):
    """Lines the tables extension splits while testing blocks: Python-Markdown splits a block
    again after each heading or rule in it."""
    read = [0]
    test = TableProcessor.test

    def counted(self, parent, block):
        read[0] += block.count("\n") + 1
        return test(self, parent, block)

    monkeypatch.setattr(TableProcessor, "test", counted)
    return read


@pytest.mark.parametrize("unit", ["# a\n", "a\n=\n", "a\n---\n", "#\n"])
def test_a_block_of_many_headings_is_read_in_linear_time(table_test_lines, unit):
    text = unit * 3000
    markdown.render_markdown(text)
    assert markdown.guard_source(text).split_blocks == 1
    assert table_test_lines[0] <= 10 * text.count("\n")


def test_a_long_script_in_fenced_code_keeps_its_comment_lines_together():
    script = "```bash\n" + "# a comment\necho step\n" * 1500 + "```\n"
    assert markdown.guard_source(script).text == script
    assert markdown.render_markdown(script) == plain(script)


def test_normalise_source_drops_many_leading_blank_lines():
    assert markdown.normalise_source("\n \n" * 100_000 + "x") == "x\n"


def test_the_runbook_import_uses_no_private_name_of_the_markdown_module():
    tree = ast.parse((ROOT / "ops_skills/evidence/runbook_import.py").read_text())
    names = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "ops_skills.evidence.markdown"
        for alias in node.names
    ]
    assert "missing_from_headings" in names
    assert not [name for name in names if name.startswith("_")]


def test_missing_from_headings_reads_heading_texts():
    assert markdown.missing_from_headings(["1. Purpose", "Steps: restore", "Rollback plan"]) == [
        "Preconditions",
        "Verification",
    ]
