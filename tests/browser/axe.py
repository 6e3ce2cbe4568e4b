"""An accessibility audit of the page a browser test has open: axe-core, through
axe-playwright-python, run on the page as it is (after any clicks), failing on serious or
critical violations, and on the few lesser rules in ``ALWAYS`` that the app keeps clear, with a
list a person can act on (rule, what is wrong, where).

    from tests.browser.axe import assert_accessible
    assert_accessible(page, "lead home")
    assert_accessible(page, "matrix", exclude=["#matrix"])  # leave a region out
    assert_accessible(page, "home (phone)", skip_rules=["color-contrast"])

axe's script is put into the page by Playwright (not by a <script> tag), so the site's
Content-Security-Policy does not stop it and needs no exception."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
BLOCKING = ("serious", "critical")
# Minor in axe, but once fixed kept fixed: a column header with no text (an actions column) is
# read out as nothing; it says "Actions" in visually-hidden text instead.
ALWAYS = ("empty-table-header",)
# The rules of WCAG 2.1 A and AA, and axe's best practices (landmarks, one main heading…).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def violations(page, *, exclude: list[str] = (), skip_rules: list[str] = (), impacts=BLOCKING) -> list[dict]:
    """axe's violations on the open page of the given impacts (and of the rules in ``ALWAYS``),
    leaving out the elements matched by the CSS selectors in ``exclude`` and the rules named in
    ``skip_rules``."""
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": TAGS}}
    if skip_rules:
        options["rules"] = {rule: {"enabled": False} for rule in skip_rules}
    results = _AXE.run(page, context=context, options=options)
    return [v for v in results.response["violations"] if v["impact"] in impacts or v["id"] in ALWAYS]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:5]:
            where = ", ".join(map(str, node["target"]))
            summary = (node.get("failureSummary") or "").strip().splitlines()  # "Fix any of the following:", then why
            lines.append(f"    {where}: {summary[-1] if summary else ''}")
            lines.append(f"      {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page, name: str, *, exclude: list[str] = (), skip_rules: list[str] = ()) -> None:
    """Fail when axe finds a serious or critical violation, or one of ``ALWAYS``, on the open page
    (``name`` says which page in the message). ``skip_rules``: e.g. ``["color-contrast"]``, the slowest rule, on a
    second audit of a page whose colours were checked at another size."""
    found = violations(page, exclude=exclude, skip_rules=skip_rules)
    assert not found, f"accessibility violations on {name} ({page.url}):\n{describe(found)}"
