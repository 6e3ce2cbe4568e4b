def is_htmx(request) -> bool:
    """True for a request htmx made (it asks for a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
