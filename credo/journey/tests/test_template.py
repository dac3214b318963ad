"""The built-in journey template matches the structure of the Journeys to Mastery Learning framework."""

import json
import re

from credo.journey.template import JOURNEY_STATUSES, JOURNEY_TEMPLATE, template_as_dict

# As the framework marks them: the advanced competencies of each domain; all others are foundational.
ADVANCED = {"PV4", "PV5", "GP3", "LM5", "LM6", "AL5", "AL6", "SU3", "SU4"}


def test_five_domains_in_order_with_question_deliverable_and_colour():
    codes = [d.code for d in JOURNEY_TEMPLATE.domains]
    assert codes == ["PV", "GP", "LM", "AL", "SU"]
    assert [d.order for d in JOURNEY_TEMPLATE.domains] == [1, 2, 3, 4, 5]
    for domain in JOURNEY_TEMPLATE.domains:
        assert domain.guiding_question.endswith("?")
        assert domain.deliverable_title and domain.deliverable
        assert re.fullmatch(r"#[0-9a-f]{6}", domain.colour)
    assert len({d.colour for d in JOURNEY_TEMPLATE.domains}) == 5


def test_twenty_four_competencies_counted_per_domain():
    assert len(JOURNEY_TEMPLATE.competencies) == 24
    counts = {
        d.code: len(JOURNEY_TEMPLATE.competencies_in(d.code)) for d in JOURNEY_TEMPLATE.domains
    }
    assert counts == {"PV": 5, "GP": 3, "LM": 6, "AL": 6, "SU": 4}


def test_codes_are_unique_and_numbered_within_their_domain():
    codes = [c.code for c in JOURNEY_TEMPLATE.competencies]
    assert len(set(codes)) == len(codes)
    for domain in JOURNEY_TEMPLATE.domains:
        numbers = [c.number for c in JOURNEY_TEMPLATE.competencies_in(domain.code)]
        assert numbers == list(range(1, len(numbers) + 1))
        for c in JOURNEY_TEMPLATE.competencies_in(domain.code):
            assert c.code == f"{domain.code}{c.number}"


def test_levels_follow_the_framework():
    for c in JOURNEY_TEMPLATE.competencies:
        assert c.level == ("advanced" if c.code in ADVANCED else "foundational"), c.code
    foundational = sum(c.level == "foundational" for c in JOURNEY_TEMPLATE.competencies)
    assert foundational == 15


def test_every_text_is_present():
    for c in JOURNEY_TEMPLATE.competencies:
        assert c.title.strip() and len(c.description) > 40, c.code
    assert JOURNEY_TEMPLATE.version and JOURNEY_TEMPLATE.description


def test_ten_essentials_each_mapped_to_known_domains():
    essentials = JOURNEY_TEMPLATE.essentials
    assert len(essentials) == 10
    assert len({e.code for e in essentials}) == 10
    assert len({e.title for e in essentials}) == 10
    domain_codes = {d.code for d in JOURNEY_TEMPLATE.domains}
    for e in essentials:
        assert e.domains, e.code
        assert set(e.domains) <= domain_codes, e.code
        assert len(set(e.domains)) == len(e.domains)
        assert e.description.strip()
    # Every domain except Sustainability has an essential as its primary home (the journey paper
    # lists Sustainability's own essentials separately); Sustainability is reached by a secondary one.
    primaries = {e.domains[0] for e in essentials}
    assert primaries == {"PV", "GP", "LM", "AL"}
    assert JOURNEY_TEMPLATE.essentials_in("SU")


def test_lookups():
    assert JOURNEY_TEMPLATE.competency("AL4").title == "Mastery Transcript"
    assert JOURNEY_TEMPLATE.domain("SU").name == "Sustainability"


def test_as_dict_is_json_ready_and_complete():
    data = template_as_dict()
    json.dumps(data)  # plain data only
    assert data["version"] == JOURNEY_TEMPLATE.version
    assert data["statuses"] == list(JOURNEY_STATUSES)
    assert [len(d["competencies"]) for d in data["domains"]] == [5, 3, 6, 6, 4]
    assert len(data["essentials"]) == 10
