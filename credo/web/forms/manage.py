"""Forms of the school's setup, used by admins and registrars."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from credo.accounts.models import Role
from credo.frameworks.models import CALCULATION_METHODS, CompetencyKind, FrameworkKind
from credo.mastery.models import CreditLevel, CreditRule, DecisionPolicy, GraduationRuleKind
from credo.schools.models import ExperienceKind
from credo.web.forms.base import ModelChoice, ModelMultiChoice, date_field

METHODS = [("", _("— as the framework —")), *CALCULATION_METHODS]
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
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    mission = forms.CharField(
        label=_("Mission"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    context = forms.CharField(
        label=_("Size, setting and who the school serves"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    credit_policy = forms.CharField(
        label=_("How credits are defined, earned and reviewed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    enrollment_size = forms.IntegerField(label=_("Number of students"), required=False, min_value=0)
    not_progressing_days = forms.IntegerField(
        label=_("Days without gain before a student is listed as not progressing"),
        min_value=7,
        max_value=365,
        error_messages={
            "min_value": _("Choose a period from 7 to 365 days."),
            "max_value": _("Choose a period from 7 to 365 days."),
        },
    )
    panel_formers = forms.MultipleChoiceField(
        label=_("Who forms credit-review panels and invites outside experts"),
        choices=[
            ("admin", _("School admins")),
            ("registrar", _("Registrars")),
            ("review_coordinator", _("Review coordinators")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Teachers and advisors never do on their own authority; give someone the review "
            "coordinator role to let them. With none ticked, the current choice stays."
        ),
    )
    two_factor_required = forms.BooleanField(
        label=_("Admins and registrars must sign in with two steps (an authenticator app)"),
        required=False,
        help_text=_(
            "They read every student's record. Those without it set it up at their next "
            "sign-in or page, before anything else."
        ),
    )


class SupportSettings(forms.Form):
    support_stalls = forms.IntegerField(
        label=_("Targets without gain before an advisee needs support"),
        required=False,
        min_value=1,
        max_value=20,
        error_messages={
            "min_value": _("Choose from 1 to 20 targets."),
            "max_value": _("Choose from 1 to 20 targets."),
        },
    )
    support_window_days = forms.IntegerField(
        label=_("Ignore work older than (days), when judging who needs support"),
        required=False,
        min_value=30,
        max_value=1460,
        error_messages={
            "min_value": _("Choose a window from 30 to 1460 days."),
            "max_value": _("Choose a window from 30 to 1460 days."),
        },
    )


class ScaleForm(forms.Form):
    ROWS = 6
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Name the scale.")}
    )
    mastery_threshold = forms.CharField(
        label=_("Mastery threshold"),
        max_length=12,
        help_text=_("The level a student must reach to be proficient."),
        error_messages={"required": _("Give the level a student must reach for mastery.")},
    )
    exceeds_threshold = forms.CharField(
        label=_("“Exceeds” threshold"), max_length=12, required=False
    )
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
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=FrameworkKind.choices, widget=forms.RadioSelect
    )
    scale = forms.ModelChoiceField(queryset=None, label=_("Proficiency scale"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    calculation_method = forms.ChoiceField(
        label=_("How a level is calculated"), choices=CALCULATION_METHODS
    )
    calculation_param = forms.IntegerField(
        label=_("Parameter"),
        required=False,
        help_text=_(
            "Decaying or weighted average: the weight in % (e.g. 65). "
            "n times at mastery: n. Other methods take none."
        ),
    )
    counts_formative = forms.BooleanField(
        label=_("Formative assessments count too"), required=False
    )

    def __init__(self, *args, scales=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].queryset = scales


class CompetencyForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CompetencyKind.choices, initial=CompetencyKind.TARGET
    )
    parent = ModelChoice(
        queryset=None,
        required=False,
        label=_("Sits under"),
        empty_label=_("— top level —"),
        label_from=lambda c: f"{c.code} {c.statement[:60]}",
    )
    outcome = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Graduate-profile outcome"),
        empty_label=_("— none —"),
    )
    sequence = forms.IntegerField(label=_("Order"), required=False, min_value=0, initial=0)
    scale = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Scale (override)"),
        empty_label=_("— as the framework —"),
    )
    calculation_method = forms.ChoiceField(
        label=_("Calculation (override)"), choices=METHODS, required=False
    )
    calculation_param = forms.IntegerField(label=_("Parameter (override)"), required=False)
    case_identifier = forms.CharField(label=_("CASE identifier"), max_length=128, required=False)

    def __init__(self, *args, parents=None, outcomes=None, scales=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["outcome"].queryset = outcomes
        self.fields["scale"].queryset = scales


class AreaForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#336699",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, initial=0)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CreditForm(forms.Form):
    ROWS = 10  # rows shown at least
    area = forms.ModelChoiceField(queryset=None, label=_("Area"))
    level = forms.ChoiceField(
        label=_("Level"), choices=CreditLevel.choices, widget=forms.RadioSelect
    )
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    standard = forms.CharField(
        label=_("Credit standard (shown on the transcript)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rule = forms.ChoiceField(
        label=_("Requirement"), choices=CreditRule.choices, widget=forms.RadioSelect
    )
    rule_n = forms.IntegerField(
        label=_("N (competencies) or P (points)"), required=False, min_value=0
    )
    min_evidence = forms.IntegerField(
        label=_("Approved evidence needed"), required=False, min_value=0, initial=0
    )
    review_required = forms.BooleanField(label=_("Awarded by a review panel"), required=False)
    decision_policy = forms.ChoiceField(
        label=_("A review is decided by"),
        choices=DecisionPolicy.choices,
        initial=DecisionPolicy.MAJORITY,
        widget=forms.RadioSelect,
        required=False,
    )
    decision_min_staff = forms.IntegerField(
        label=_("Staff members who must be among those who agree"),
        min_value=1,
        max_value=9,
        initial=1,
        required=False,
        help_text=_("At least 1: outside experts vote, but never decide alone."),
        error_messages={"min_value": _("At least one staff member must agree with a decision.")},
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, initial=0)
    from_cohort = forms.IntegerField(
        label=_("From the class of (blank: every earlier class)"),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    until_cohort = forms.IntegerField(
        label=_("Until the class of (blank: every later class)"),
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
    kind = forms.ChoiceField(label=_("Rule"), choices=GraduationRuleKind.choices)
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("— any —")), *CreditLevel.choices], required=False
    )
    area = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Area (for “in one area”)"),
        empty_label=_("— none —"),
    )
    n = forms.IntegerField(label=_("N"), required=False, min_value=1)
    credits = ModelMultiChoice(queryset=None, label=_("Credits (for “these particular credits”)"))
    from_cohort = forms.IntegerField(
        label=_("From the class of (blank: every earlier class)"),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    until_cohort = forms.IntegerField(
        label=_("Until the class of (blank: every later class)"),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    description = forms.CharField(label=_("How to say it"), required=False, max_length=200)

    def __init__(self, *args, areas=None, credits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["credits"].queryset = credits


class RetireForm(forms.Form):
    """Retire a credit or a framework for the classes after `last_cohort`."""

    last_cohort = forms.IntegerField(
        label=_("Last class (graduation year) that earns it"), min_value=2000, max_value=2100
    )
    reason = forms.CharField(
        label=_("Why it is retired (kept in the audit log)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeAwardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the credit is revoked (shown with the revocation)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TermForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    school_year = forms.CharField(
        label=_("School year"), max_length=20, help_text=_("E.g. 2025-26.")
    )
    starts_on = date_field(_("First day"))
    ends_on = date_field(_("Last day"))


class ExperienceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExperienceKind.choices)
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    competencies = ModelMultiChoice(
        queryset=None,
        label=_("Competencies it gives students the chance to show"),
        label_from=lambda c: f"{c.code} — {c.statement[:80]}",
    )

    def __init__(self, *args, competencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = competencies


class SectionForm(forms.Form):
    experience = forms.ModelChoiceField(queryset=None, label=_("Learning experience"))
    term = forms.ModelChoiceField(queryset=None, label=_("Term"))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. Block A."))
    teachers = ModelMultiChoice(queryset=None, label=_("Teachers"))
    students = ModelMultiChoice(
        queryset=None,
        label=_("Students"),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    def __init__(self, *args, experiences=None, terms=None, teachers=None, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experience"].queryset = experiences
        self.fields["term"].queryset = terms
        self.fields["teachers"].queryset = teachers
        self.fields["students"].queryset = students


class PersonForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=150)
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 8 characters. Leave blank to set it later."),
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )


class StudentForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    graduation_year = forms.IntegerField(label=_("Class of"), min_value=2000, max_value=2100)
    advisor = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Advisor"), empty_label=_("— none —")
    )

    def __init__(self, *args, advisors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = advisors


class NewStudentForm(StudentForm):
    student_number = forms.CharField(label=_("Student number"), max_length=64)
    username = forms.CharField(
        label=_("Username (to sign in)"),
        max_length=150,
        required=False,
        help_text=_("Leave blank for a student who does not sign in."),
    )
    password = forms.CharField(
        label=_("Password"), required=False, widget=forms.PasswordInput(render_value=False)
    )


class EditStudentForm(StudentForm):
    active = forms.BooleanField(label=_("Active"), required=False)


class GuardianForm(forms.Form):
    guardian = forms.ModelChoiceField(
        queryset=None,
        label=_("Guardian"),
        help_text=_("People with the guardian role. Add them under People first."),
    )
    relationship = forms.CharField(label=_("Relationship"), required=False, max_length=64)

    def __init__(self, *args, guardians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians


class SchoolSettingsForm(SchoolForm, SupportSettings):
    """The school's profile and settings, with when an advisee is shown as needing support."""

    improve_min_cell = forms.IntegerField(
        label=_("Smallest group of students shown on the improvement pages"),
        required=False,
        min_value=5,
        max_value=100,
        help_text=_(
            "Groups with fewer students are hidden, with one more where needed so that "
            "nobody can work a hidden number out from the totals."
        ),
        error_messages={
            "min_value": _("Choose a smallest group from 5 to 100 students."),
            "max_value": _("Choose a smallest group from 5 to 100 students."),
        },
    )

    judgment_enabled = forms.BooleanField(
        label=_(
            "Teachers may set a student's level on a target against the calculated one, with a "
            "reason (professional judgment)"
        ),
        required=False,
        help_text=_(
            "Switched off, the judgments already made stop counting and every level is the "
            "calculated one again; switched back on, they count again."
        ),
    )


class OutcomeForm(forms.Form):
    """A graduate-profile outcome and the credits that serve it (checked by frameworks.services)."""

    framework = ModelChoice(None, label=_("Framework"))
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What a graduate shows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, initial=0)
    credits = ModelMultiChoice(
        None,
        label=_("Credits that serve this outcome"),
        label_from=lambda c: f"{c.code} · {c.title} ({c.get_level_display().lower()})",
    )

    def __init__(self, *args, frameworks=None, credits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        self.fields["credits"].queryset = credits
