"""What every text a person types must be: names and titles on one line, and no NUL anywhere.

A line break in a name ends up in an email header (which refuses it) and a NUL byte in PostgreSQL
(which refuses it too), so both are stopped where the text comes in: model field validators (the
admin and every ModelForm run them), plain forms, the API's inputs and the imports.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Control characters (\n, \r, \t, NUL, DEL, C1 controls such as U+0085) and the Unicode line
# and paragraph separators (U+2028, U+2029).
_NOT_ON_ONE_LINE = {"Cc", "Zl", "Zp"}


def line_break_error(text: str) -> str | None:
    """Why ``text`` is not a single line of text, or None when it is."""
    for char in text:
        if unicodedata.category(char) in _NOT_ON_ONE_LINE:
            if char in "\n\r\u2028\u2029\x85\x0b\x0c":
                return "Write it on one line: line breaks are not allowed."
            return f"Remove the control character U+{ord(char):04X}."
    return None


def nul_error(text: str) -> str | None:
    """Why ``text`` cannot be stored (PostgreSQL refuses a NUL byte), or None when it can."""
    return "Remove the NUL character (U+0000)." if "\x00" in text else None


@deconstructible
class SingleLineValidator:
    """Refuses line breaks and other control characters (names, titles, anything that may end
    up in an email subject or a CSV cell)."""

    code = "single_line"

    def __call__(self, value) -> None:
        error = line_break_error(str(value))
        if error:
            raise ValidationError(error, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineValidator)

    def __hash__(self) -> int:
        return hash(self.code)


validate_single_line = SingleLineValidator()
