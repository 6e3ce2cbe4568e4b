def is_htmx(request) -> bool:
    """True for a request htmx made (it asks for a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


MAX_ID = 2**63 - 1  # the largest primary key the databases hold


def parse_id(value) -> int | None:
    """A row id written in a query string or form: ASCII digits within the range of a primary key,
    else None. (``str.isdigit`` accepts "²", which ``int`` refuses, and a 20-digit number
    overflows the database's integer.)"""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
