"""Someone leaves: marking them as left (``flows.person_leave``), and, later, anonymising them
(``people.leaving.person_anonymise``). Each has a confirmation page saying what will happen."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ops_skills import flows
from ops_skills.onboarding.models import Checklist
from ops_skills.people import leaving, permissions
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment


class LeaveForm(forms.Form):
    departed_on = forms.DateField(
        label="Left on",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        max_length=200, required=False, label="Why (optional; the people whose assignments end see it)"
    )

    def clean_departed_on(self):
        day = self.cleaned_data["departed_on"]
        if day > timezone.localdate():
            raise ValidationError("The day they left cannot be in the future.")
        return day


def _get_person_for(request, pk, allowed, refusal: str) -> Person:
    person = get_object_or_404(Person.objects.select_related("team"), pk=pk)
    if not allowed(request.user, person):
        raise PermissionDenied(refusal)
    return person


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@login_required
@require_http_methods(["GET", "POST"])
def person_leave(request, pk):
    person = _get_person_for(
        request, pk, permissions.can_mark_left, "Only an admin, or a lead of their team, marks someone as left."
    )
    if person.is_departed:
        messages.info(request, f"{person} left on {person.departed_on:%-d %b %Y}.")
        return redirect(person)
    form = LeaveForm(request.POST or None, initial={"departed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            done = flows.person_leave(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{person} is marked as left: {_plural(len(done.assignments), 'assignment')} cancelled, "
                f"{_plural(len(done.checklists), 'onboarding')} without them as buddy, "
                f"{_plural(len(done.evidence), 'piece')} of pending evidence handed to the leads, "
                f"{_plural(done.tokens, 'API token')} revoked.",
            )
            return redirect(person)
    context = {
        "person": person,
        "form": form,
        # One query each: what the confirmation says will end.
        "assignments": Assignment.objects.open().involving(person).count(),
        "buddy_for": Checklist.objects.filter(buddy=person, finished_at__isnull=True).count(),
        "tokens": person.api_tokens.usable().count(),
    }
    return render(request, "people/person_leave.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_anonymise(request, pk):
    person = _get_person_for(request, pk, permissions.can_anonymise, "Only an admin anonymises someone.")
    problem = None
    if leaving.is_anonymised(person):
        problem = "They are anonymised already."
    elif not person.is_departed:
        problem = "Mark them as left first: only people who have left are anonymised."
    if request.method == "POST" and problem is None:
        try:
            leaving.person_anonymise(by=request.user, person=person)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, f"Anonymised: they are now “{leaving.anonymised_name(person)}”.")
            return redirect(person)
    status = 400 if request.method == "POST" and problem else 200
    return render(request, "people/person_anonymise.html", {"person": person, "problem": problem}, status=status)
