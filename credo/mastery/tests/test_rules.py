"""Credit requirements, credit statuses and graduation rules (pure: no database, no Django)."""

import re
from decimal import Decimal

import pytest

from credo.mastery.rules import (
    CREDIT_STATUSES,
    CreditRef,
    CreditSpec,
    GraduationRuleSpec,
    RequirementItem,
    RuleProgress,
    credit_met,
    credit_status,
    credit_tally,
    graduation_rule_progress,
    validate_credit_spec,
    validate_graduation_rule,
)


def item(cid, points=1, required=False):
    return RequirementItem(competency_id=cid, points=Decimal(points), required=required)


def spec(rule, items, n=None, **kw):
    return CreditSpec(rule=rule, items=tuple(items), n=n, **kw)


ITEMS = [item(1, 2), item(2, 3), item(3, 5)]


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid",
    [
        spec("all", ITEMS),
        spec("count", ITEMS, n=1),
        spec("count", ITEMS, n=3),
        spec("points", ITEMS, n=1),
        spec("points", ITEMS, n=10),
        spec("points", [item(1, 0), item(2, "2.5")], n=2),
        spec("all", [item(1, 0)], min_evidence=3, review_required=True),
    ],
)
def test_valid_requirements_have_no_messages(valid):
    assert validate_credit_spec(valid) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (spec("all", []), "at least one competency"),
        (spec("all", [item(1), item(2), item(1)]), "Competency 1 is listed more than once"),
        (spec("all", [item(1, -1)]), "Competency 1 has negative points"),
        (spec("count", ITEMS), "needs N"),
        (spec("count", ITEMS, n=0), "at least 1"),
        (spec("count", ITEMS, n=4), r"N \(4\) is more than the 3 competencies"),
        (spec("points", ITEMS), "needs P"),
        (spec("points", ITEMS, n=0), "at least 1"),
        (spec("points", ITEMS, n=11), r"P \(11\) is more than the 10 points"),
        (spec("all", ITEMS, n=2), "takes no number"),
        (spec("all", ITEMS, min_evidence=-1), "0 or more"),
        (spec("most", ITEMS), "Unknown credit rule 'most'"),
    ],
)
def test_invalid_requirements_are_explained(bad, message):
    errors = validate_credit_spec(bad)
    assert len(errors) == 1, errors
    assert re.search(message, errors[0]), errors


def test_every_problem_is_reported():
    errors = validate_credit_spec(spec("count", [item(1, -2), item(1)], n=5, min_evidence=-1))
    assert len(errors) == 4


# --- tally and rules ----------------------------------------------------------------------


def test_tally_counts_and_adds_points_of_proficient_items():
    assert credit_tally(spec("all", ITEMS), set()) == (0, Decimal(0))
    assert credit_tally(spec("all", ITEMS), {1, 3, 99}) == (2, Decimal(7))
    assert credit_tally(spec("points", [item(1, "1.5"), item(2, "2.25")], n=1), {1, 2}) == (
        2,
        Decimal("3.75"),
    )


def test_all_rule():
    s = spec("all", ITEMS)
    assert not credit_met(s, {1, 2}, 0)
    assert credit_met(s, {1, 2, 3}, 0)
    assert credit_met(s, {1, 2, 3, 4}, 0)


def test_count_rule():
    s = spec("count", ITEMS, n=2)
    assert not credit_met(s, {1}, 0)
    assert not credit_met(s, {1, 7, 8}, 0)  # unlisted competencies do not count
    assert credit_met(s, {1, 3}, 0)


def test_points_rule():
    s = spec("points", ITEMS, n=7)
    assert not credit_met(s, {1, 2}, 0)  # 5 points
    assert credit_met(s, {1, 3}, 0)  # exactly 7
    assert credit_met(s, {2, 3}, 0)


def test_required_items_must_be_proficient_whatever_the_rule():
    items = [item(1, 5, required=True), item(2, 5), item(3, 5)]
    assert not credit_met(spec("count", items, n=2), {2, 3}, 0)
    assert credit_met(spec("count", items, n=2), {1, 3}, 0)
    assert not credit_met(spec("points", items, n=10), {2, 3}, 0)
    assert credit_met(spec("points", items, n=10), {1, 2}, 0)


def test_min_evidence():
    s = spec("all", ITEMS, min_evidence=2)
    assert not credit_met(s, {1, 2, 3}, 1)
    assert credit_met(s, {1, 2, 3}, 2)
    assert credit_met(s, {1, 2, 3}, 5)
    assert not credit_met(spec("count", ITEMS, n=1, min_evidence=1), {1}, 0)


def test_credit_met_refuses_what_cannot_be_decided():
    assert not credit_met(spec("all", []), set(), 0)
    with pytest.raises(ValueError, match="needs a number"):
        credit_met(spec("count", ITEMS), {1}, 0)
    with pytest.raises(ValueError, match="Unknown credit rule"):
        credit_met(spec("most", ITEMS), {1}, 0)


# --- status -------------------------------------------------------------------------------


def status(
    s, proficient=frozenset(), evidence=0, *, awarded=False, open_review=False, returned=False
):
    return credit_status(
        s, set(proficient), evidence, awarded=awarded, open_review=open_review, returned=returned
    )


def test_status_order():
    assert CREDIT_STATUSES == (
        "not_started",
        "in_progress",
        "met",
        "ready_for_review",
        "under_review",
        "returned",
        "awarded",
    )


def test_statuses_without_review():
    s = spec("count", ITEMS, n=2)
    assert status(s) == "not_started"
    assert status(s, {99}) == "not_started"  # an unlisted competency is no progress
    assert status(s, {1}) == "in_progress"
    assert status(s, set(), evidence=1) == "in_progress"
    assert status(s, {1, 2}) == "met"
    assert status(s, {1, 2}, awarded=True) == "awarded"


def test_statuses_with_review():
    s = spec("all", ITEMS, review_required=True)
    assert status(s, {1, 2}) == "in_progress"
    assert status(s, {1, 2, 3}) == "ready_for_review"
    assert status(s, {1, 2, 3}, open_review=True) == "under_review"
    assert status(s, {1, 2, 3}, returned=True) == "returned"
    assert status(s, {1, 2, 3}, open_review=True, returned=True) == "under_review"
    assert status(s, {1, 2, 3}, awarded=True, open_review=True) == "awarded"


def test_awards_are_sticky():
    # Later evidence can lower a score; an award never falls back.
    s = spec("all", ITEMS)
    assert status(s, set(), awarded=True) == "awarded"


def test_every_status_is_reachable():
    s_review = spec("all", ITEMS, review_required=True)
    s_plain = spec("all", ITEMS)
    seen = {
        status(s_plain),
        status(s_plain, {1}),
        status(s_plain, {1, 2, 3}),
        status(s_review, {1, 2, 3}),
        status(s_review, {1, 2, 3}, open_review=True),
        status(s_review, {1, 2}, returned=True),
        status(s_review, {1, 2, 3}, awarded=True),
    }
    assert seen == set(CREDIT_STATUSES)


# --- graduation ---------------------------------------------------------------------------

MATH, SCIENCE, ARTS = 10, 20, 30
CATALOGUE = [
    CreditRef(1, MATH, "foundational"),
    CreditRef(2, MATH, "foundational"),
    CreditRef(3, MATH, "advanced"),
    CreditRef(4, SCIENCE, "foundational"),
    CreditRef(5, SCIENCE, "advanced"),
    CreditRef(6, ARTS, "foundational"),
]
AREAS = [MATH, SCIENCE, ARTS]


def progress(rule, awarded_ids):
    awarded = [c for c in CATALOGUE if c.credit_id in awarded_ids]
    return graduation_rule_progress(rule, awarded, CATALOGUE, AREAS)


def test_min_credits():
    rule = GraduationRuleSpec("min_credits", level="foundational", n=3)
    assert progress(rule, {1, 3, 5}) == RuleProgress(met=False, have=1, need=3)
    assert progress(rule, {1, 2, 4}) == RuleProgress(met=True, have=3, need=3)
    assert progress(rule, {1, 2, 4, 6}) == RuleProgress(met=True, have=4, need=3)
    any_level = GraduationRuleSpec("min_credits", n=3)
    assert progress(any_level, {1, 3, 5}) == RuleProgress(met=True, have=3, need=3)


def test_min_credits_in_each_area_caps_each_area():
    rule = GraduationRuleSpec("min_credits_in_each_area", level="foundational", n=1)
    assert progress(rule, {1, 2, 4}) == RuleProgress(met=False, have=2, need=3)
    assert progress(rule, {1, 4, 6}) == RuleProgress(met=True, have=3, need=3)
    two = GraduationRuleSpec("min_credits_in_each_area", n=2)
    # Math has 3 (counted as 2), science 1, arts 0.
    assert progress(two, {1, 2, 3, 4}) == RuleProgress(met=False, have=3, need=6)


def test_min_credits_in_area():
    rule = GraduationRuleSpec("min_credits_in_area", level="advanced", area_id=MATH, n=1)
    assert progress(rule, {1, 2, 5}) == RuleProgress(met=False, have=0, need=1)
    assert progress(rule, {3}) == RuleProgress(met=True, have=1, need=1)
    any_level = GraduationRuleSpec("min_credits_in_area", area_id=SCIENCE, n=2)
    assert progress(any_level, {4, 5}) == RuleProgress(met=True, have=2, need=2)


def test_all_credits():
    rule = GraduationRuleSpec("all_credits", level="foundational")
    assert progress(rule, {1, 2, 4}) == RuleProgress(met=False, have=3, need=4)
    assert progress(rule, {1, 2, 4, 6, 3}) == RuleProgress(met=True, have=4, need=4)
    everything = GraduationRuleSpec("all_credits")
    assert progress(everything, {1, 2, 3, 4, 5, 6}) == RuleProgress(met=True, have=6, need=6)


def test_specific_credits():
    rule = GraduationRuleSpec("specific_credits", credit_ids=(2, 5))
    assert progress(rule, {1, 2}) == RuleProgress(met=False, have=1, need=2)
    assert progress(rule, {2, 5, 6}) == RuleProgress(met=True, have=2, need=2)


def test_duplicate_awards_count_once():
    rule = GraduationRuleSpec("min_credits", n=2)
    awarded = [CATALOGUE[0], CATALOGUE[0]]
    assert graduation_rule_progress(rule, awarded, CATALOGUE, AREAS).have == 1


def test_progress_refuses_what_cannot_be_decided():
    with pytest.raises(ValueError, match="Unknown graduation rule"):
        progress(GraduationRuleSpec("most_credits", n=1), set())
    with pytest.raises(ValueError, match="needs a number"):
        progress(GraduationRuleSpec("min_credits"), set())


@pytest.mark.parametrize(
    "valid",
    [
        GraduationRuleSpec("min_credits", level="foundational", n=20),
        GraduationRuleSpec("min_credits", n=1),
        GraduationRuleSpec("min_credits_in_each_area", level="advanced", n=1),
        GraduationRuleSpec("min_credits_in_area", level=None, area_id=MATH, n=2),
        GraduationRuleSpec("all_credits", level="foundational"),
        GraduationRuleSpec("all_credits"),
        GraduationRuleSpec("specific_credits", credit_ids=(1, 2)),
    ],
)
def test_valid_graduation_rules(valid):
    assert validate_graduation_rule(valid) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (GraduationRuleSpec("most_credits", n=1), "Unknown graduation rule"),
        (GraduationRuleSpec("min_credits", level="basic", n=1), "Unknown level 'basic'"),
        (GraduationRuleSpec("min_credits"), "needs a number"),
        (GraduationRuleSpec("min_credits", n=0), "at least 1"),
        (GraduationRuleSpec("min_credits", n=2, area_id=MATH), "takes no credit area"),
        (GraduationRuleSpec("min_credits_in_each_area", n=-1), "at least 1"),
        (GraduationRuleSpec("min_credits_in_area", n=1), "needs a credit area"),
        (GraduationRuleSpec("all_credits", n=3), "takes no number"),
        (GraduationRuleSpec("min_credits", n=1, credit_ids=(1,)), "takes no list"),
        (GraduationRuleSpec("specific_credits"), "at least one credit"),
        (GraduationRuleSpec("specific_credits", credit_ids=(1, 1)), "more than once"),
        (GraduationRuleSpec("specific_credits", level="advanced", credit_ids=(1,)), "no level"),
    ],
)
def test_invalid_graduation_rules_are_explained(bad, message):
    errors = validate_graduation_rule(bad)
    assert len(errors) == 1, errors
    assert message in errors[0]
