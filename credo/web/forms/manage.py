"""Forms of the school's setup, used by admins and registrars."""

import re

from django import forms

from credo.accounts.models import Role
from credo.frameworks.models import CALCULATION_METHODS, CompetencyKind, FrameworkKind
from credo.mastery.models import CreditLevel, CreditRule, DecisionPolicy, GraduationRuleKind
from credo.schools.models import ExperienceKind
from credo.web.forms.base import ModelChoice, ModelMultiChoice, date_field

METHODS = [("", "— as the framework —"), *CALCULATION_METHODS]
MAX_ROWS = 500  # a posted row index past this is ignored, not rendered


def row_count(form, pattern: str, *, listed: int, minimum: int, blank: int) -> int:
    """How many rows a form with repeated rows shows: on a posted form, as many as were posted;
    otherwise the listed ones plus `blank` empty ones; never fewer than `minimum`. A long list
    must never lose its later rows to a fixed number of inputs."""
    if form.is_bound:
        posted = [
            int(m.group(1))
            for key in form.data
            if (m := re.fullmatch(pattern, key)) and int(m.group(1)) < MAX_ROWS
        ]
        return max([minimum, *(i + 1 for i in posted)])
    return max(minimum, listed + blank)


ROLE_CHOICES = Role.choices


class SchoolForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    short_name = forms.CharField(label="Short name", max_length=60, required=False)
    mission = forms.CharField(
        label="Mission", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    context = forms.CharField(
        label="Size, setting and who the school serves",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    credit_policy = forms.CharField(
        label="How credits are defined, earned and reviewed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    city = forms.CharField(label="City", max_length=120, required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    enrollment_size = forms.IntegerField(label="Number of students", required=False, min_value=0)
    not_progressing_days = forms.IntegerField(
        label="Days without gain before a student is listed as not progressing",
        min_value=7,
        max_value=365,
        error_messages={
            "min_value": "Choose a period from 7 to 365 days.",
            "max_value": "Choose a period from 7 to 365 days.",
        },
    )
    panel_formers = forms.MultipleChoiceField(
        label="Who forms credit-review panels and invites outside experts",
        choices=[
            ("admin", "School admins"),
            ("registrar", "Registrars"),
            ("review_coordinator", "Review coordinators"),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Teachers and advisors never do on their own authority; give someone the review "
        "coordinator role to let them. With none ticked, the current choice stays.",
    )
    two_factor_required = forms.BooleanField(
        label="Admins and registrars must sign in with two steps (an authenticator app)",
        required=False,
        help_text="They read every student's record. Those without it set it up at their next "
        "sign-in or page, before anything else.",
    )


class SupportSettings(forms.Form):
    support_stalls = forms.IntegerField(
        label="Targets without gain before an advisee needs support",
        required=False,
        min_value=1,
        max_value=20,
        error_messages={
            "min_value": "Choose from 1 to 20 targets.",
            "max_value": "Choose from 1 to 20 targets.",
        },
    )
    support_window_days = forms.IntegerField(
        label="Ignore work older than (days), when judging who needs support",
        required=False,
        min_value=30,
        max_value=1460,
        error_messages={
            "min_value": "Choose a window from 30 to 1460 days.",
            "max_value": "Choose a window from 30 to 1460 days.",
        },
    )


class ScaleForm(forms.Form):
    ROWS = 6
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Name the scale."}
    )
    mastery_threshold = forms.CharField(
        label="Mastery threshold",
        max_length=12,
        help_text="The level a student must reach to be proficient.",
        error_messages={"required": "Give the level a student must reach for mastery."},
    )
    exceeds_threshold = forms.CharField(label="“Exceeds” threshold", max_length=12, required=False)
    levels = forms.CharField(required=False, widget=forms.HiddenInput)  # carries the levels' errors

    def level_rows(self):
        data = self.data if self.is_bound else {}
        initial = self.initial.get("level_rows", [])
        rows = []
        count = row_count(
            self, r"level-(\d+)-value", listed=len(initial), minimum=self.ROWS, blank=2
        )
        for i in range(count):
            if self.is_bound:
                rows.append(
                    (
                        i,
                        data.get(f"level-{i}-value", ""),
                        data.get(f"level-{i}-label", ""),
                        data.get(f"level-{i}-description", ""),
                    )
                )
            else:
                v, lb, d = initial[i] if i < len(initial) else ("", "", "")
                rows.append((i, v, lb, d))
        return rows

    def levels_data(self):
        return [(v, lb, d) for _, v, lb, d in self.level_rows()]


class FrameworkForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=FrameworkKind.choices, widget=forms.RadioSelect)
    scale = forms.ModelChoiceField(queryset=None, label="Proficiency scale")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    calculation_method = forms.ChoiceField(
        label="How a level is calculated", choices=CALCULATION_METHODS
    )
    calculation_param = forms.IntegerField(
        label="Parameter",
        required=False,
        help_text="Decaying or weighted average: the weight in % (e.g. 65). "
        "n times at mastery: n. Other methods take none.",
    )
    counts_formative = forms.BooleanField(label="Formative assessments count too", required=False)

    def __init__(self, *args, scales=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].queryset = scales


class CompetencyForm(forms.Form):
    code = forms.CharField(label="Code", max_length=60)
    statement = forms.CharField(label="Statement", widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        label="Kind", choices=CompetencyKind.choices, initial=CompetencyKind.TARGET
    )
    parent = ModelChoice(
        queryset=None,
        required=False,
        label="Sits under",
        empty_label="— top level —",
        label_from=lambda c: f"{c.code} {c.statement[:60]}",
    )
    outcome = forms.ModelChoiceField(
        queryset=None, required=False, label="Graduate-profile outcome", empty_label="— none —"
    )
    sequence = forms.IntegerField(label="Order", required=False, min_value=0, initial=0)
    scale = forms.ModelChoiceField(
        queryset=None, required=False, label="Scale (override)", empty_label="— as the framework —"
    )
    calculation_method = forms.ChoiceField(
        label="Calculation (override)", choices=METHODS, required=False
    )
    calculation_param = forms.IntegerField(label="Parameter (override)", required=False)
    case_identifier = forms.CharField(label="CASE identifier", max_length=128, required=False)

    def __init__(self, *args, parents=None, outcomes=None, scales=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["outcome"].queryset = outcomes
        self.fields["scale"].queryset = scales


class AreaForm(forms.Form):
    code = forms.CharField(label="Code", max_length=40)
    name = forms.CharField(label="Name", max_length=120)
    colour = forms.CharField(
        label="Colour",
        max_length=7,
        initial="#336699",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    order = forms.IntegerField(label="Order", required=False, min_value=0, initial=0)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CreditForm(forms.Form):
    ROWS = 10  # rows shown at least
    area = forms.ModelChoiceField(queryset=None, label="Area")
    level = forms.ChoiceField(label="Level", choices=CreditLevel.choices, widget=forms.RadioSelect)
    code = forms.CharField(label="Code", max_length=40)
    title = forms.CharField(label="Title", max_length=200)
    standard = forms.CharField(
        label="Credit standard (shown on the transcript)", widget=forms.Textarea(attrs={"rows": 3})
    )
    rule = forms.ChoiceField(
        label="Requirement", choices=CreditRule.choices, widget=forms.RadioSelect
    )
    rule_n = forms.IntegerField(label="N (competencies) or P (points)", required=False, min_value=0)
    min_evidence = forms.IntegerField(
        label="Approved evidence needed", required=False, min_value=0, initial=0
    )
    review_required = forms.BooleanField(label="Awarded by a review panel", required=False)
    decision_policy = forms.ChoiceField(
        label="A review is decided by",
        choices=DecisionPolicy.choices,
        initial=DecisionPolicy.MAJORITY,
        widget=forms.RadioSelect,
        required=False,
    )
    decision_min_staff = forms.IntegerField(
        label="Staff members who must be among those who agree",
        min_value=1,
        max_value=9,
        initial=1,
        required=False,
        help_text="At least 1: outside experts vote, but never decide alone.",
        error_messages={"min_value": "At least one staff member must agree with a decision."},
    )
    order = forms.IntegerField(label="Order", required=False, min_value=0, initial=0)
    from_cohort = forms.IntegerField(
        label="From the class of (blank: every earlier class)",
        required=False,
        min_value=2000,
        max_value=2100,
    )
    until_cohort = forms.IntegerField(
        label="Until the class of (blank: every later class)",
        required=False,
        min_value=2000,
        max_value=2100,
    )
    items = forms.CharField(
        required=False, widget=forms.HiddenInput
    )  # carries the requirement's errors

    def __init__(self, *args, areas=None, competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.competencies = list(competencies)

    def item_rows(self):
        initial = self.initial.get("item_rows", [])
        rows = []
        count = row_count(
            self, r"item-(\d+)-competency", listed=len(initial), minimum=self.ROWS, blank=5
        )
        for i in range(count):
            if self.is_bound:
                rows.append(
                    (
                        i,
                        self.data.get(f"item-{i}-competency", ""),
                        self.data.get(f"item-{i}-points", "1"),
                        bool(self.data.get(f"item-{i}-required")),
                    )
                )
            else:
                c, p, r = initial[i] if i < len(initial) else ("", "1", False)
                rows.append((i, str(c), str(p), r))
        return rows


class GraduationRuleForm(forms.Form):
    kind = forms.ChoiceField(label="Rule", choices=GraduationRuleKind.choices)
    level = forms.ChoiceField(
        label="Level", choices=[("", "— any —"), *CreditLevel.choices], required=False
    )
    area = forms.ModelChoiceField(
        queryset=None, required=False, label="Area (for “in one area”)", empty_label="— none —"
    )
    n = forms.IntegerField(label="N", required=False, min_value=1)
    credits = ModelMultiChoice(queryset=None, label="Credits (for “these particular credits”)")
    from_cohort = forms.IntegerField(
        label="From the class of (blank: every earlier class)",
        required=False,
        min_value=2000,
        max_value=2100,
    )
    until_cohort = forms.IntegerField(
        label="Until the class of (blank: every later class)",
        required=False,
        min_value=2000,
        max_value=2100,
    )
    description = forms.CharField(label="How to say it", required=False, max_length=200)

    def __init__(self, *args, areas=None, credits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["credits"].queryset = credits


class RetireForm(forms.Form):
    """Retire a credit or a framework for the classes after `last_cohort`."""

    last_cohort = forms.IntegerField(
        label="Last class (graduation year) that earns it", min_value=2000, max_value=2100
    )
    reason = forms.CharField(
        label="Why it is retired (kept in the audit log)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeAwardForm(forms.Form):
    reason = forms.CharField(
        label="Why the credit is revoked (shown with the revocation)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TermForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    school_year = forms.CharField(label="School year", max_length=20, help_text="E.g. 2025-26.")
    starts_on = date_field("First day")
    ends_on = date_field("Last day")


class ExperienceForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=ExperienceKind.choices)
    code = forms.CharField(label="Code", max_length=40)
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    competencies = ModelMultiChoice(
        queryset=None,
        label="Competencies it gives students the chance to show",
        label_from=lambda c: f"{c.code} — {c.statement[:80]}",
    )

    def __init__(self, *args, competencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = competencies


class SectionForm(forms.Form):
    experience = forms.ModelChoiceField(queryset=None, label="Learning experience")
    term = forms.ModelChoiceField(queryset=None, label="Term")
    name = forms.CharField(label="Name", max_length=100, help_text="E.g. Block A.")
    teachers = ModelMultiChoice(queryset=None, label="Teachers")
    students = ModelMultiChoice(
        queryset=None,
        label="Students",
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="Hold Ctrl (or ⌘) to choose several.",
    )

    def __init__(self, *args, experiences=None, terms=None, teachers=None, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experience"].queryset = experiences
        self.fields["term"].queryset = terms
        self.fields["teachers"].queryset = teachers
        self.fields["students"].queryset = students


class PersonForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=150)
    username = forms.CharField(label="Username", max_length=150)
    email = forms.EmailField(label="E-mail", required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role."},
    )
    password = forms.CharField(
        label="Password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 8 characters. Leave blank to set it later.",
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles", choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )


class StudentForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False)
    graduation_year = forms.IntegerField(label="Class of", min_value=2000, max_value=2100)
    advisor = forms.ModelChoiceField(
        queryset=None, required=False, label="Advisor", empty_label="— none —"
    )

    def __init__(self, *args, advisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = advisors


class NewStudentForm(StudentForm):
    student_number = forms.CharField(label="Student number", max_length=64)
    username = forms.CharField(
        label="Username (to sign in)",
        max_length=150,
        required=False,
        help_text="Leave blank for a student who does not sign in.",
    )
    password = forms.CharField(
        label="Password", required=False, widget=forms.PasswordInput(render_value=False)
    )


class EditStudentForm(StudentForm):
    active = forms.BooleanField(label="Active", required=False)


class GuardianForm(forms.Form):
    guardian = forms.ModelChoiceField(
        queryset=None,
        label="Guardian",
        help_text="People with the guardian role. Add them under People first.",
    )
    relationship = forms.CharField(label="Relationship", required=False, max_length=64)

    def __init__(self, *args, guardians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians


class SchoolSettingsForm(SchoolForm, SupportSettings):
    """The school's profile and settings, with when an advisee is shown as needing support."""

    improve_min_cell = forms.IntegerField(
        label="Smallest group of students shown on the improvement pages",
        required=False,
        min_value=5,
        max_value=100,
        help_text="Groups with fewer students are hidden, with one more where needed so that "
        "nobody can work a hidden number out from the totals.",
        error_messages={
            "min_value": "Choose a smallest group from 5 to 100 students.",
            "max_value": "Choose a smallest group from 5 to 100 students.",
        },
    )

    judgment_enabled = forms.BooleanField(
        label="Teachers may set a student's level on a target against the calculated one, with a "
        "reason (professional judgment)",
        required=False,
        help_text="Switched off, the judgments already made stop counting and every level is the "
        "calculated one again; switched back on, they count again.",
    )


class OutcomeForm(forms.Form):
    """A graduate-profile outcome and the credits that serve it (checked by frameworks.services)."""

    framework = ModelChoice(None, label="Framework")
    code = forms.CharField(label="Code", max_length=40)
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="What a graduate shows",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = forms.IntegerField(label="Order", required=False, min_value=0, initial=0)
    credits = ModelMultiChoice(
        None,
        label="Credits that serve this outcome",
        label_from=lambda c: f"{c.code} · {c.title} ({c.get_level_display().lower()})",
    )

    def __init__(self, *args, frameworks=None, credits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        self.fields["credits"].queryset = credits
