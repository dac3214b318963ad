"""Tests for the credit-profile renderer (a pure module: no database, no Django)."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET

import pytest

from credo.transcripts import profile
from credo.transcripts.profile import (
    ProfileArea,
    ProfileCell,
    profile_summary,
    profile_table,
    render_legend_svg,
    render_profile_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
# What WeasyPrint's SVG renderer draws (plus the metadata it skips without complaint).
ALLOWED_TAGS = {"svg", "title", "desc", "defs", "pattern", "g", "a", "path", "circle", "text"}
STATES = ("earned", "in_progress", "not_started")


def cell(label, level="foundational", state="earned", **kwargs):
    return ProfileCell(label, level, state, **kwargs)


def area(name, colour, foundational, advanced=0, offset=0, **kwargs):
    """Return an area whose cells cycle through the three states."""
    cells = [
        cell(f"{name} F{i + 1}", "foundational", STATES[(i + offset) % 3])
        for i in range(foundational)
    ]
    cells += [
        cell(f"{name} A{i + 1}", "advanced", STATES[(i + offset + 1) % 3]) for i in range(advanced)
    ]
    return ProfileArea(name, colour, tuple(cells), **kwargs)


SIX = [
    area("Communication", "#1f77b4", 6, 2),
    area("Creativity", "#e69f00", 4, 1, 1),
    area("Civic Engagement", "#009e73", 5, 3, 2),
    area("Quantitative Reasoning", "#cc79a7", 6, 2),
    area("Scientific Inquiry", "#56b4e9", 4, 1, 1),
    area("Self-Direction", "#d55e00", 5, 3, 2),
]
FIVE = [
    area("Purpose & Vision", "#3366cc", 3, 2),
    area("Graduate Profile", "#f0e442", 6, 4, 1),
    area("Learning Model", "#2ca02c", 5, 3, 2),
    area("Alignment", "#8c564b", 4, 2),
    area("Sustainability", "#9467bd", 6, 4, 1),
]
ONE = [area("Mathematics", "#0072b2", 5, 2)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well formed


def cells_of(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}path") if "cp-cell" in el.get("class", "").split()]


def parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def overlay_of(root: ET.Element, path: ET.Element) -> ET.Element | None:
    group = parent_map(root)[path]
    overlays = [el for el in group if el.get("class") == "cp-overlay"]
    return overlays[0] if overlays else None


# ---------------------------------------------------------------------------------------------
# Structure


@pytest.mark.parametrize("areas", [SIX, FIVE, ONE], ids=["six", "five", "one"])
def test_one_cell_path_per_cell_and_well_formed(areas):
    root = parse(render_profile_svg(areas, title="Profile"))

    assert root.tag == f"{SVG}svg"
    assert len(cells_of(root)) == sum(len(a.cells) for a in areas)
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= ALLOWED_TAGS


def test_root_is_an_accessible_image_with_title_and_desc():
    root = parse(render_profile_svg(FIVE, title="Journey profile", id_prefix="jp"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "jp-title jp-desc"
    assert root.find(f"{SVG}title").get("id") == "jp-title"
    assert root.find(f"{SVG}title").text == "Journey profile"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "jp-desc"
    assert "Purpose & Vision: foundational 1 of 3 earned, 1 in progress" in desc.text
    earned = sum(v["foundational"]["earned"] for v in profile_summary(FIVE).values())
    assert f"Overall: foundational {earned} of 24 earned" in desc.text


def test_every_id_is_prefixed_unique_and_every_reference_resolves():
    svg = render_profile_svg(SIX, title="t", id_prefix="stu42")
    root = parse(svg)
    ids = [el.get("id") for el in root.iter() if el.get("id")]

    assert ids and all(i.startswith("stu42-") for i in ids)
    assert len(ids) == len(set(ids))
    references = re.findall(r"url\(#([^)]+)\)", svg) + root.get("aria-labelledby").split()
    assert references and set(references) <= set(ids)


def test_two_profiles_and_legends_on_one_page_share_no_ids():
    page = (
        render_profile_svg(SIX, title="a", id_prefix="one")
        + render_profile_svg(FIVE, title="b", id_prefix="two")
        + render_legend_svg(id_prefix="one")
        + render_legend_svg(id_prefix="two")
    )
    ids = re.findall(r'\bid="([^"]+)"', page)

    assert len(ids) == len(set(ids))


def test_standalone_no_scripts_no_external_references():
    svg = render_profile_svg(SIX, title="t") + render_legend_svg()

    lowered = svg.lower()
    for forbidden in ("<script", "javascript:", "xlink:", "<image", "<use", "@import", "style="):
        assert forbidden not in lowered
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"] * 2
    assert re.findall(r"url\(([^)]*)\)", svg) and all(
        ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", svg)
    )


def test_text_is_escaped():
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    areas = [
        ProfileArea(
            nasty,
            "#336699",
            (cell(nasty, detail=nasty, href='/e?a=1&b="2"'),),
            short="A&B <i>",
        )
    ]
    svg = render_profile_svg(areas, title=nasty)
    root = parse(svg)

    assert "<script" not in svg and "<i>" not in svg
    assert root.find(f"{SVG}title").text == nasty
    tooltip = next(t.text for t in root.iter(f"{SVG}title") if t.text.startswith(nasty + " — "))
    assert tooltip == f"{nasty} — {nasty}: earned\n{nasty}"
    assert "A&B <i>" in [t.text for t in root.iter(f"{SVG}text")]
    assert next(root.iter(f"{SVG}a")).get("href") == '/e?a=1&b="2"'


def test_characters_xml_cannot_hold_are_dropped():
    root = parse(render_profile_svg([area("Bell\x07 area", "#336699", 1)], title="a\x00b"))

    assert root.find(f"{SVG}title").text == "ab"


def test_tooltip_names_area_label_and_state():
    areas = [
        ProfileArea(
            "Science",
            "#336699",
            (
                cell("Lab design", state="in_progress"),
                cell("Field study", "advanced", "not_started"),
            ),
        )
    ]
    titles = {t.text for t in parse(render_profile_svg(areas, title="t")).iter(f"{SVG}title")}

    assert "Science — Lab design: in progress" in titles
    assert "Science — Field study: not started" in titles


def test_href_wraps_the_cell_in_a_link():
    areas = [ProfileArea("Science", "#336699", (cell("Linked", href="/credits/7"), cell("Plain")))]
    root = parse(render_profile_svg(areas, title="t"))
    links = list(root.iter(f"{SVG}a"))

    assert [a.get("href") for a in links] == ["/credits/7"]
    assert [el.get("data-state") for el in links[0].iter(f"{SVG}path")][0] == "earned"


def test_a_profile_with_links_is_a_group_of_named_cells():
    """Links inside role="img" are hidden from assistive technology: a linked profile is a group
    whose links and plain cells each say their area, credit, level and status."""
    areas = [ProfileArea("Science", "#336699", (cell("Linked", href="/credits/7"), cell("Plain")))]
    root = parse(render_profile_svg(areas, title="t"))
    link = next(root.iter(f"{SVG}a"))
    plain = [g for g in root.iter(f"{SVG}g") if g.get("role") == "img"]

    assert root.get("role") == "group"
    assert link.get("aria-label") == "Science: Linked, foundational, earned"
    assert [g.get("aria-label") for g in plain] == ["Science: Plain, foundational, earned"]
    unlinked = parse(
        render_profile_svg([ProfileArea("Science", "#336699", (cell("P"),))], title="t")
    )
    assert unlinked.get("role") == "img"


# ---------------------------------------------------------------------------------------------
# States are told apart by more than colour


def _signature(root, path):
    overlay = overlay_of(root, path)
    fill_pattern = overlay.get("fill") if overlay is not None else None
    pattern_kind = None
    if fill_pattern:
        pattern_id = fill_pattern[len("url(#") : -1]
        pattern = next(p for p in root.iter(f"{SVG}pattern") if p.get("id") == pattern_id)
        pattern_kind = tuple(sorted({child.tag.removeprefix(SVG) for child in pattern}))
    return (pattern_kind, path.get("stroke-dasharray"))


def test_states_and_levels_differ_in_pattern_and_dashes_not_only_colour():
    areas = [
        ProfileArea(
            "One colour",
            "#336699",
            (
                cell("f-earned", "foundational", "earned"),
                cell("a-earned", "advanced", "earned"),
                cell("f-progress", "foundational", "in_progress"),
                cell("a-progress", "advanced", "in_progress"),
                cell("f-none", "foundational", "not_started"),
                cell("a-none", "advanced", "not_started"),
            ),
        )
    ]
    root = parse(render_profile_svg(areas, title="t"))
    by_label = {
        next(parent_map(root)[p].iter(f"{SVG}title")).text.split(" — ")[1].split(":")[0]: p
        for p in cells_of(root)
    }
    sig = {label: _signature(root, path) for label, path in by_label.items()}

    # Earned: a pattern, no dashes; lines on the inner ring, dots on the outer ring.
    assert sig["f-earned"] == (("path",), None)
    assert sig["a-earned"] == (("circle",), None)
    # In progress: a light hatch and a dashed outline, whatever the ring.
    assert sig["f-progress"][1] and sig["a-progress"][1]
    assert sig["f-progress"][0] == ("path",)
    # Not started: no pattern, no dashes, a white fill and a grey outline.
    assert sig["f-none"] == sig["a-none"] == (None, None)
    assert by_label["f-none"].get("fill") == "#ffffff"
    # Four kinds a reader must tell apart without colour all look different.
    assert len({sig["f-earned"], sig["a-earned"], sig["f-progress"], sig["f-none"]}) == 4
    # And the two earned overlays use different patterns, not one pattern in two colours.
    assert overlay_of(root, by_label["f-earned"]).get("fill") != overlay_of(
        root, by_label["a-earned"]
    ).get("fill")


def test_cells_carry_level_and_state_for_styling_and_tests():
    root = parse(render_profile_svg(SIX, title="t"))

    for path in cells_of(root):
        classes = path.get("class").split()
        assert path.get("data-level") in ("foundational", "advanced")
        assert path.get("data-state") in STATES
        assert f"cp-{path.get('data-level')}" in classes
        assert f"cp-{path.get('data-state').replace('_', '-')}" in classes


def test_inner_ring_is_foundational_and_outer_ring_advanced():
    root = parse(render_profile_svg(SIX, title="t"))

    def radii(level):
        # Each cell's path has an outer and an inner arc: "A<r>,<r> ...".
        return [
            float(r)
            for p in cells_of(root)
            if p.get("data-level") == level
            for r in re.findall(r"A([\d.]+),", p.get("d"))
        ]

    assert max(radii("foundational")) < min(radii("advanced"))


# ---------------------------------------------------------------------------------------------
# Order, tracks, sectors


def test_state_order_fills_each_ring_from_the_start_and_given_order_keeps_places():
    cells = (
        cell("a", state="not_started"),
        cell("b", state="earned"),
        cell("c", state="in_progress"),
        cell("d", state="earned"),
    )
    areas = [ProfileArea("Area", "#336699", cells)]

    by_state = [p.get("data-state") for p in cells_of(parse(render_profile_svg(areas, title="t")))]
    given = [
        p.get("data-state")
        for p in cells_of(parse(render_profile_svg(areas, title="t", order="given")))
    ]

    assert by_state == ["earned", "earned", "in_progress", "not_started"]
    assert given == ["not_started", "earned", "in_progress", "earned"]


def test_a_crowded_ring_is_split_into_tracks_and_a_normal_one_is_not():
    unit_ring = (40.0, 78.0)
    assert profile._tracks_for(6, 60, *unit_ring, 0.9, 7) == 1
    assert profile._tracks_for(16, 60, *unit_ring, 0.9, 7) >= 2

    crowded = [area("Crowded", "#336699", 16), *SIX[1:]]
    root = parse(render_profile_svg(crowded, title="t", size=420))
    radii = {
        re.search(r"A([\d.]+),", p.get("d")).group(1)
        for p in cells_of(root)
        if p.get("id").startswith("cp-c0-")
    }
    assert len(radii) >= 2  # cells of the crowded area sit on more than one track
    assert len(cells_of(root)) == sum(len(a.cells) for a in crowded)


def test_proportional_sectors_are_offered_and_validated():
    equal = render_profile_svg(FIVE, title="t")
    proportional = render_profile_svg(FIVE, title="t", sectors="proportional")

    assert equal != proportional
    assert len(cells_of(parse(proportional))) == len(cells_of(parse(equal)))
    with pytest.raises(ValueError, match="sectors"):
        render_profile_svg(FIVE, title="t", sectors="random")
    with pytest.raises(ValueError, match="order"):
        render_profile_svg(FIVE, title="t", order="alphabetical")


# ---------------------------------------------------------------------------------------------
# Labels


def test_short_name_is_drawn_and_the_full_name_kept_as_its_title():
    areas = [
        area("Communication and Collaboration", "#336699", 3, short="Comms"),
        area("B", "#000", 1),
    ]
    root = parse(render_profile_svg(areas, title="t"))
    label = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "cp-label-0")

    assert [t.text for t in label.iter(f"{SVG}text")] == ["Comms"]
    assert label.find(f"{SVG}title").text == "Communication and Collaboration"


def test_long_names_wrap_and_never_run_off_the_drawing():
    names = [
        "Interdisciplinary Problem Solving and Design Thinking",
        "Supercalifragilisticexpialidociousness",
        "Languages",
        "Wellness",
        "Civic Life",
        "Science",
    ]
    areas = [area(n, "#336699", 2, 1) for n in names]
    root = parse(render_profile_svg(areas, title="t", size=420))
    width = float(root.get("width"))
    height = float(root.get("height"))

    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        x, y = float(text.get("x")), float(text.get("y"))
        est = profile._text_width(text.text, size)
        left = {"start": x, "middle": x - est / 2, "end": x - est}[text.get("text-anchor")]
        assert left >= 0 and left + est <= width, text.text
        assert size <= y <= height, text.text
    first = [t.text for t in root.iter(f"{SVG}text")][:3]
    assert len(first) >= 2  # the long first name wraps onto several lines


def test_without_labels_no_visible_text_but_still_described():
    root = parse(render_profile_svg(SIX, title="Thumb", size=160, show_labels=False))

    assert list(root.iter(f"{SVG}text")) == []
    assert root.find(f"{SVG}desc").text.startswith("Overall:")
    assert root.get("height") == "160"


def test_centre_counts_foundational_earned():
    root = parse(render_profile_svg(SIX, title="t"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    summary = profile_summary(SIX)
    earned = sum(v["foundational"]["earned"] for v in summary.values())
    total = sum(v["foundational"]["total"] for v in summary.values())

    assert f"{earned}/{total}" in texts


# ---------------------------------------------------------------------------------------------
# Edge cases


def test_no_areas_renders_an_empty_but_valid_svg():
    root = parse(render_profile_svg([], title="Nothing yet"))

    assert cells_of(root) == []
    assert root.find(f"{SVG}desc").text == "No areas."


def test_an_area_without_cells_keeps_its_sector_and_name():
    areas = [ProfileArea("Empty", "#336699"), area("Full", "#993366", 3, 1)]
    root = parse(render_profile_svg(areas, title="t"))

    assert len(cells_of(root)) == 4
    assert [p.get("class") for p in root.iter(f"{SVG}path")].count("cp-band") == 2
    assert "Empty" in [t.text for t in root.iter(f"{SVG}text")]
    assert "Empty: no foundational; no advanced." in root.find(f"{SVG}desc").text
    assert profile_summary(areas)["Empty"]["foundational"] == {
        "earned": 0,
        "in_progress": 0,
        "not_started": 0,
        "total": 0,
    }


def test_single_area_single_cell_is_a_whole_ring():
    root = parse(render_profile_svg([area("Only", "#336699", 1)], title="t"))
    (path,) = cells_of(root)

    # Two arcs for the outer circle and two for the inner one: a full annulus.
    assert path.get("d").count("A") == 4


@pytest.mark.parametrize("areas", [SIX, FIVE, ONE, []], ids=["six", "five", "one", "none"])
def test_rendering_is_deterministic(areas):
    first = render_profile_svg(areas, title="t", id_prefix="x")
    again = render_profile_svg(list(areas), title="t", id_prefix="x")
    other_prefix = render_profile_svg(areas, title="t", id_prefix="y")

    assert first == again
    assert other_prefix.replace('"y-', '"x-').replace("#y-", "#x-").replace(" y-", " x-") == first


# ---------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "expert"}, "level"),
        ({"state": "done"}, "state"),
        ({"href": "javascript:alert(1)"}, "href"),
        ({"href": "data:text/html,hi"}, "href"),
    ],
)
def test_cells_refuse_bad_values(kwargs, message):
    values = {"label": "x", "level": "foundational", "state": "earned", **kwargs}
    with pytest.raises(ValueError, match=message):
        ProfileCell(**values)


@pytest.mark.parametrize("href", ["/evidence/3", "https://school.example/e/3", "../e/3", "e/3"])
def test_cells_accept_site_and_web_links(href):
    assert ProfileCell("x", "advanced", "earned", href=href).href == href


@pytest.mark.parametrize("colour", ["red", "#12345", "#ggg", "#1234567", "url(#x)"])
def test_areas_refuse_anything_but_hex_colours(colour):
    with pytest.raises(ValueError, match="colour"):
        ProfileArea("A", colour)


def test_duplicate_area_names_and_bad_prefixes_are_refused():
    with pytest.raises(ValueError, match="unique"):
        render_profile_svg([ProfileArea("A", "#000"), ProfileArea("A", "#fff")], title="t")
    with pytest.raises(ValueError, match="id_prefix"):
        render_profile_svg(SIX, title="t", id_prefix="1bad")
    with pytest.raises(ValueError, match="id_prefix"):
        render_legend_svg(id_prefix='x" onload="y')


# ---------------------------------------------------------------------------------------------
# Colour


@pytest.mark.parametrize("colour", ["#f0e442", "#ffffff", "#56b4e9", "#000000", "#777"])
def test_outlines_keep_three_to_one_contrast_on_white(colour):
    assert profile._contrast(profile._ink(colour), "#ffffff") >= 3.0


def test_text_colours_meet_wcag_aa():
    assert profile._contrast(profile._TEXT, "#ffffff") >= 7
    assert profile._contrast(profile._MUTED, "#ffffff") >= 4.5
    assert profile._contrast(profile._NOT_STARTED_STROKE, "#ffffff") >= 3.0


@pytest.mark.parametrize("colour", ["#f0e442", "#1f77b4", "#000000", "#ffffff", "#009e73"])
def test_pattern_marks_pick_the_stronger_of_white_and_black(colour):
    mark = profile._mark(colour)
    other = "#1a1a1a" if mark == "#ffffff" else "#ffffff"
    assert profile._contrast(mark, colour) >= profile._contrast(other, colour)


# ---------------------------------------------------------------------------------------------
# Text alternative


def test_profile_table_has_one_row_per_cell_in_area_and_level_order():
    areas = [
        ProfileArea(
            "Science",
            "#336699",
            (
                cell("Adv", "advanced", "in_progress", detail="Panel in May"),
                cell("Lab", "foundational", "earned", href="/c/1"),
                cell("Field", "foundational", "not_started"),
            ),
        ),
        ProfileArea("Arts", "#993366"),
    ]

    assert profile_table(areas) == [
        {
            "area": "Science",
            "level": "foundational",
            "label": "Lab",
            "state": "earned",
            "state_key": "earned",
            "detail": "",
            "href": "/c/1",
        },
        {
            "area": "Science",
            "level": "foundational",
            "label": "Field",
            "state": "not started",
            "state_key": "not_started",
            "detail": "",
            "href": None,
        },
        {
            "area": "Science",
            "level": "advanced",
            "label": "Adv",
            "state": "in progress",
            "state_key": "in_progress",
            "detail": "Panel in May",
            "href": None,
        },
    ]


def test_profile_summary_counts_per_area_and_level():
    summary = profile_summary(FIVE)

    assert list(summary) == [a.name for a in FIVE]
    assert summary["Graduate Profile"] == {
        "foundational": {"earned": 2, "in_progress": 2, "not_started": 2, "total": 6},
        "advanced": {"earned": 1, "in_progress": 1, "not_started": 2, "total": 4},
    }
    for a in FIVE:
        for level in ("foundational", "advanced"):
            counts = summary[a.name][level]
            assert counts["total"] == sum(1 for c in a.cells if c.level == level)
            assert (
                counts["earned"] + counts["in_progress"] + counts["not_started"]
                == (counts["total"])
            )


# ---------------------------------------------------------------------------------------------
# Legend


def test_legend_shows_the_four_kinds_with_words():
    root = parse(render_legend_svg(id_prefix="cp"))
    words = [t.text for t in root.iter(f"{SVG}text")]

    assert words == [
        "Foundational, earned (inner ring)",
        "Advanced, earned (outer ring)",
        "In progress",
        "Not started",
    ]
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= ALLOWED_TAGS
    assert all(i.startswith("cp-lg-") for i in (el.get("id") for el in root.iter()) if i)
    swatches = [p for p in root.iter(f"{SVG}path") if p.get("class") != "cp-overlay"]
    swatches = [p for p in swatches if p.get("fill", "").startswith("#")]
    assert len(swatches) == 4
    assert sum(1 for p in swatches if p.get("stroke-dasharray")) == 1


# ---------------------------------------------------------------------------------------------
# WeasyPrint


def test_weasyprint_renders_profile_and_legend_without_warnings(caplog):
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        + "".join(
            f"<figure>{render_profile_svg(areas, title=name, id_prefix=name)}"
            f"{render_legend_svg(id_prefix=name)}</figure>"
            for name, areas in (("six", SIX), ("five", FIVE), ("one", ONE))
        )
        + "</body></html>"
    )

    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        pdf = weasyprint.HTML(string=html).write_pdf()

    assert pdf.startswith(b"%PDF")
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == [], [r.getMessage() for r in problems]
    # The patterns made it into the PDF as real tiling patterns.
    assert b"/PatternType 1" in pdf
