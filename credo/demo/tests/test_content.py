"""The demo schools' content, checked as plain data (no database)."""

from collections import Counter
from decimal import Decimal

import pytest

from credo.demo import content
from credo.demo.content import HARTWELL, JUNIPER_VALLEY, NETWORK, WAYFINDER, SchoolSpec
from credo.mastery import rules
from credo.mastery.calculations import validate_param

SCHOOLS = NETWORK.schools
KINDS = {"course", "seminar", "project", "impact", "internship", "independent_study", "outside"}


def codes(school: SchoolSpec) -> list[str]:
    return [node.code for _, node in content.all_competencies(school)]


def assessable(school: SchoolSpec) -> set[str]:
    return {node.code for _, node in content.all_competencies(school) if node.is_assessable}


def academic_assessable(school: SchoolSpec) -> set[str]:
    return {
        n.code
        for n, _, _ in content.walk(school.framework("academic").competencies)
        if n.is_assessable
    }


def reachable(school: SchoolSpec) -> set[str]:
    """Return the assessable codes some learning experience gives students the chance to show."""
    return {
        c
        for e in school.experiences
        for code in e.aligned
        for c in content.assessable_under(school, code)
    }


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_three_schools_in_one_network_with_distinct_slugs():
    assert len(SCHOOLS) == 3
    assert len({s.slug for s in SCHOOLS}) == 3
    assert NETWORK.lead.name


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_codes_are_unique_per_school(school):
    for label, values in (
        ("competency", codes(school)),
        ("credit", [c.code for c in school.credits]),
        ("experience", [e.code for e in school.experiences]),
        ("area", [a.code for a in school.areas]),
        ("scale", [s.key for s in school.scales]),
    ):
        repeated = [code for code, n in Counter(values).items() if n > 1]
        assert not repeated, f"{school.slug}: repeated {label} codes {repeated}"


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_every_competency_has_a_statement_and_a_known_kind(school):
    kinds = {"domain", "competency", "standard", "target", "indicator"}
    for _, node in content.all_competencies(school):
        assert node.statement.strip(), node.code
        assert node.kind in kinds, node.code
        if node.method:
            validate_param(node.method, node.param)


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_roughly_40_to_120_assessable_competencies(school):
    assert 40 <= len(assessable(school)) <= 120


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_credit_items_name_academic_competencies_students_can_reach(school):
    academic = academic_assessable(school)
    can_reach = reachable(school)
    areas = {a.code for a in school.areas}
    for credit in school.credits:
        assert credit.area in areas, credit.code
        assert credit.level in rules.CREDIT_LEVELS, credit.code
        for item in credit.items:
            # Habits never count toward a credit unless it names them; these credits name none.
            assert item.competency in academic, (credit.code, item.competency)
            assert item.competency in can_reach, (credit.code, item.competency)


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_credit_rules_are_valid_and_satisfiable(school):
    ids = {code: i for i, code in enumerate(codes(school), start=1)}
    for credit in school.credits:
        spec = rules.CreditSpec(
            rule=credit.rule,
            items=tuple(
                rules.RequirementItem(ids[i.competency], i.points, i.required) for i in credit.items
            ),
            n=credit.rule_n,
            min_evidence=credit.min_evidence,
            review_required=credit.review_required,
        )
        assert rules.validate_credit_spec(spec) == [], credit.code
        everything = {item.competency_id for item in spec.items}
        assert rules.credit_met(spec, everything, credit.min_evidence), credit.code
        if credit.review_required:
            assert credit.review_format in ("portfolio", "exhibition", "defense", "pitch"), (
                credit.code
            )


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_graduation_rules_are_valid_and_can_be_met(school):
    area_ids = {a.code: i for i, a in enumerate(school.areas, start=1)}
    credit_ids = {c.code: i for i, c in enumerate(school.credits, start=1)}
    catalogue = [
        rules.CreditRef(credit_ids[c.code], area_ids[c.area], c.level) for c in school.credits
    ]
    for rule in school.graduation_rules:
        spec = rules.GraduationRuleSpec(
            kind=rule.kind,
            level=rule.level or None,
            area_id=area_ids[rule.area] if rule.area else None,
            n=rule.n,
            credit_ids=tuple(sorted(credit_ids[c] for c in rule.credits)),
        )
        assert rules.validate_graduation_rule(spec) == [], rule.description
        assert rules.graduation_rule_progress(
            spec, catalogue, catalogue, list(area_ids.values())
        ).met
        assert all(c in content.COHORTS for c in rule.cohorts)


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_scales_and_methods(school):
    for scale in school.scales:
        values = [level.value for level in scale.levels]
        assert values == sorted(values) and len(set(values)) == len(values)
        assert scale.min_value <= scale.mastery_threshold <= scale.max_value
        if scale.exceeds_threshold is not None:
            assert scale.mastery_threshold < scale.exceeds_threshold <= scale.max_value
        assert ((scale.max_value - scale.min_value) / scale.step) % 1 == 0
    for framework in school.frameworks:
        school.scale(framework.scale)
        validate_param(framework.method, framework.param)
    assert {f.kind for f in school.frameworks} == {"academic", "habits"}


def test_each_school_reads_mastery_with_a_different_method():
    methods = [s.framework("academic").method for s in SCHOOLS]
    assert len(set(methods)) == 3
    assert set(methods) == {"decaying_average", "n_mastery", "power_law"}


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_experiences_of_every_kind_aligned_to_real_competencies(school):
    assert {e.kind for e in school.experiences} == KINDS
    for e in school.experiences:
        assert e.aligned, e.code
        for code in e.aligned:
            assert content.assessable_under(school, code), (e.code, code)
        assert set(e.grades) <= {9, 10, 11, 12}
    # Every academic competency a student is rated on can be reached through some experience.
    assert academic_assessable(school) <= reachable(school)


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_areas_have_readable_colours_and_distinct_orders(school):
    assert len({a.order for a in school.areas}) == len(school.areas)
    for area in school.areas:
        contrast = (1.05) / (luminance(area.colour) + 0.05)
        assert contrast >= 4.5, (area.code, area.colour, round(contrast, 2))


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_people_and_texts(school):
    assert (
        len(school.teachers) >= 20
        and len(school.advisors) >= 4
        and school.reviewers
        and school.guests
    )
    assert len(school.names.given) * len(school.names.family) >= 4 * 200
    for text in (
        school.mission,
        school.context,
        school.credit_policy,
        school.name,
        school.short_name,
    ):
        assert text.strip()
    names = [
        s.name
        for s in (
            school.admin,
            school.registrar,
            *school.teachers,
            *school.advisors,
            *school.reviewers,
        )
    ]
    assert len(set(names)) == len(names)
    assert school.terms and school.term_load >= 3


@pytest.mark.parametrize("school", SCHOOLS, ids=lambda s: s.slug)
def test_journey_status_uses_template_codes(school):
    earned, in_progress = set(school.journey.earned), set(school.journey.in_progress)
    assert earned and in_progress and not earned & in_progress
    assert earned | in_progress <= set(content.JOURNEY_CODES)


def test_journey_codes_match_the_template():
    from credo.journey.template import JOURNEY_TEMPLATE

    assert {c.code for c in JOURNEY_TEMPLATE.competencies} == set(content.JOURNEY_CODES)


def test_the_schools_sit_at_different_points_on_the_journey():
    counts = [len(s.journey.earned) for s in SCHOOLS]
    assert len(set(counts)) == 3


def test_wayfinder_26_foundational_credits_in_six_areas_and_advanced_by_portfolio():
    foundational = [c for c in WAYFINDER.credits if c.level == "foundational"]
    advanced = [c for c in WAYFINDER.credits if c.level == "advanced"]
    assert len(foundational) == 26
    assert len({c.area for c in foundational}) == len(WAYFINDER.areas) == 6
    assert advanced and all(c.review_required and c.min_evidence >= 2 for c in advanced)
    assert {c.review_format for c in advanced} >= {"portfolio"}
    assert any(
        r.kind == "all_credits" and r.level == "foundational" for r in WAYFINDER.graduation_rules
    )


def test_hartwell_five_skills_by_six_areas_each_with_artifact_and_pitch():
    foundational = [c for c in HARTWELL.credits if c.level == "foundational"]
    assert len(foundational) == 30
    assert len(HARTWELL.areas) == 6
    skills = {c.code.split("-")[1] for c in foundational}
    assert len(skills) == 5
    assert Counter(c.area for c in foundational) == {a.code: 5 for a in HARTWELL.areas}
    assert all(
        c.review_required and c.min_evidence >= 1 and c.review_format == "pitch"
        for c in foundational
    )
    habits = HARTWELL.framework("habits")
    assert habits.competencies and habits.scale != HARTWELL.framework("academic").scale


def test_juniper_valley_standards_indicators_and_targets_on_one_to_four():
    academic = JUNIPER_VALLEY.framework("academic")
    kinds = Counter(n.kind for n, _, _ in content.walk(academic.competencies))
    assert kinds["standard"] >= 6 and kinds["indicator"] >= 20 and kinds["target"] >= 40
    scale = JUNIPER_VALLEY.scale(academic.scale)
    assert (scale.min_value, scale.max_value, scale.mastery_threshold) == (
        Decimal(1),
        Decimal(4),
        Decimal(3),
    )
    # Targets sit under indicators; credits come from them by count or points.
    for node, parent, _ in content.walk(academic.competencies):
        if node.kind == "target":
            assert parent and parent.count(".") == 1
    assert {c.rule for c in JUNIPER_VALLEY.credits} >= {"count", "points"}
    assert JUNIPER_VALLEY.framework("habits").competencies
