"""A synthetic district for benchmarks: schools, frameworks, credits, rosters and their assessments.

`build_district` fills an empty database with a network of schools that looks like a real one
at the scale of a large district: a 1–4 proficiency scale, an academic framework whose
competencies mix every calculation method, a habits framework, credit areas, mastery credits
under all three rules, graduation rules, teachers, sections and enrollments, and students in
four cohorts with a few hundred assessments each over three school years — values trending
upward, some formative, some corrected, a few retracted.

The generator is not a user write: it goes straight to the tables, assessments in large
`executemany` batches (COPY on PostgreSQL) inside one transaction, and records one audit event
that summarizes what it made. The same seed and day give the same district, row for row.

Modules: `plan` (sizes, names, what it reports, the calendar), `school` (one school's structure
and people), `assessments` (their history, in batches), `district` (`build_district`).
"""

from credo.analytics.synthetic.district import build_district
from credo.analytics.synthetic.plan import District, SchoolRoster

__all__ = ["District", "SchoolRoster", "build_district"]
