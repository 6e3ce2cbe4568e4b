"""Reading a JSON request body field by field, collecting every problem by field name, and
turning emails and ``system/skill`` names into people and skills in one query each."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone

from ops_skills.api.http import ApiError, parse_body
from ops_skills.evidence.models import NOTES_MAX_LENGTH
from ops_skills.people.http import parse_moment
from ops_skills.people.models import Person
from ops_skills.people.validators import nul_error
from ops_skills.skills.models import Skill

MAX_LIST = 50  # people or skills in one piece of evidence; bounds the lookups
MAX_EMAIL = Person._meta.get_field("email").max_length
MAX_SKILL_NAME = 201  # "system-slug/skill-slug", two slugs of at most 100
MAX_NOTES = NOTES_MAX_LENGTH
CLOCK_SKEW = timedelta(minutes=5)
_MISSING = object()


class Payload:
    """The fields of one request. Read each with a typed getter, then ``check()``: a 400 naming
    every bad field at once, and any field the endpoint does not know (a typo would otherwise
    be dropped silently)."""

    def __init__(self, request, *, fields: set[str]):
        self.data = parse_body(request)
        self.errors: dict[str, str] = {}
        for name in sorted(self.data.keys() - fields):
            self.errors[name] = f"Unknown field; the fields are {', '.join(sorted(fields))}."

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def check(self) -> None:
        if self.errors:
            names = ", ".join(self.errors)
            raise ApiError(400, f"Invalid input in {names}.", fields=self.errors)

    def _get(self, name: str, required: bool):
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.error(name, "This field is required.")
            return _MISSING
        return value

    def string(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self._get(name, required)
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(name, "Expected a string.")
            return ""
        value = value.strip()
        if required and not value:
            self.error(name, "This field is required.")
        if max_length is not None and len(value) > max_length:
            self.error(name, f"At most {max_length} characters.")
        if error := nul_error(value):
            self.error(name, error)
            return ""
        return value

    def integer(self, name: str, *, min_value: int, max_value: int, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "Expected a whole number.")
            return None
        if not min_value <= value <= max_value:
            self.error(name, f"Expected a number from {min_value} to {max_value}.")
            return None
        return value

    def choice(self, name: str, choices) -> str:
        value = self.string(name, required=True)
        allowed = [str(c) for c in choices.values]
        if value and value not in allowed:
            self.error(name, f"Expected one of {', '.join(allowed)}.")
        return value

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date-time; without an offset it is read in the site's time zone."""
        value = self.string(name, max_length=64)
        if not value or name in self.errors:
            return None
        try:
            moment = parse_moment(value)
        except ValueError as error:
            self.error(name, str(error))
            return None
        if moment > timezone.now() + CLOCK_SKEW:
            self.error(name, "Cannot be in the future.")
        return moment

    def url(self, name: str) -> str:
        value = self.string(name, max_length=200)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.error(name, "Expected an http(s) URL.")
        return value

    def strings(self, name: str, *, required: bool, max_length: int) -> list[str]:
        value = self._get(name, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, "Expected a list of strings.")
            return []
        if required and not value:
            self.error(name, "Name at least one.")
        if len(value) > MAX_LIST:
            self.error(name, f"At most {MAX_LIST}.")
            return []
        if any(len(v.strip()) > max_length for v in value):
            self.error(name, f"At most {max_length} characters each.")
            return []
        if error := next(filter(None, map(nul_error, value)), None):
            self.error(name, error)
            return []
        return [v.strip() for v in value]

    def people(self, wanted: dict[str, list[str]]) -> dict[str, list[Person]]:
        """``{field: [email…]}`` to ``{field: [Person…]}``: one query for every field. Unknown
        emails and people who have left are errors of their field."""
        emails = {e.lower() for field_emails in wanted.values() for e in field_emails}
        found = {p.email: p for p in Person.objects.filter(email__in=emails).select_related("team")} if emails else {}
        result = {}
        for name, field_emails in wanted.items():
            people = []
            for email in dict.fromkeys(e.lower() for e in field_emails):
                person = found.get(email)
                if person is None:
                    self.error(name, f"No person with the email {email}.")
                elif person.is_departed or not person.is_active:
                    self.error(name, f"{email} has left and cannot take part in new evidence.")
                else:
                    people.append(person)
            result[name] = people
        return result

    def skills(self, name: str, names: list[str]) -> list[Skill]:
        """``["system-slug/skill-slug", …]`` to skills, in one query."""
        pairs = []
        for value in dict.fromkeys(names):
            system_slug, _, skill_slug = value.partition("/")
            if not system_slug or not skill_slug:
                self.error(name, f"“{value}” is not of the form system-slug/skill-slug.")
                return []
            pairs.append((system_slug, skill_slug))
        if not pairs:
            return []
        condition = Q()
        for system_slug, skill_slug in pairs:
            condition |= Q(system__slug=system_slug, slug=skill_slug)
        found = {skill.column: skill for skill in Skill.objects.filter(condition).select_related("system")}
        missing = [f"{a}/{b}" for a, b in pairs if f"{a}/{b}" not in found]
        if missing:
            self.error(name, f"No such skill: {', '.join(missing)}.")
        return [found[f"{a}/{b}"] for a, b in pairs if f"{a}/{b}" in found]
