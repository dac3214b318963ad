"""The progress chart is pure: it draws every snapshot and says the numbers in words too."""

import xml.etree.ElementTree as ET

from credo.journey.chart import chart_rows, render_progress_svg


def counts(fe, fi, ae, ai, f_total=15, a_total=9):
    return {
        "foundational": {
            "earned": fe,
            "in_progress": fi,
            "not_started": f_total - fe - fi,
            "total": f_total,
        },
        "advanced": {
            "earned": ae,
            "in_progress": ai,
            "not_started": a_total - ae - ai,
            "total": a_total,
        },
    }


def test_chart_is_valid_svg_with_a_text_alternative():
    points = [
        {"label": "Fall", "date": "2025-10-01", "counts": counts(2, 3, 0, 1)},
        {"label": "Now", "date": "", "counts": counts(5, 4, 1, 2)},
    ]
    svg = render_progress_svg(points, title="Progress <over> time")
    root = ET.fromstring(svg)  # noqa: S314 -- our own output
    assert root.tag.endswith("svg")
    desc = root.find("{http://www.w3.org/2000/svg}desc").text
    assert "Fall: 2 foundational and 0 advanced earned, 4 in progress, 18 not started" in desc
    assert "Progress &lt;over&gt; time" in svg
    assert chart_rows(points)[1] == {
        "label": "Now",
        "date": "",
        "found": 5,
        "adv": 1,
        "progress": 6,
        "none": 12,
    }


def test_empty_chart_says_so():
    svg = render_progress_svg([], title="Nothing")
    ET.fromstring(svg)  # noqa: S314 -- our own output
    assert "No snapshots yet" in svg
