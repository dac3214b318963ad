"""Transcript pages: the registrar's publishing, the student's versions and links, the readers' views.

Signed-in pages live under /s/<slug>/transcripts/. Readers without an account open /t/<token>/
(a share link) and /v/<public id>/ (verification). Views are thin: access functions fetch and
authorize, services write, selectors and `render` read. One module per area, all importable from
here as before: `cohorts` (the school's page and publication runs), `student` (one student's
transcript and preview), `versions` (published versions signed in), `shared` (share links and
verification), `school_settings` (settings and the grade report), `letters` (the eligibility and
scholarship letter); `common` holds what they share.
"""

from credo.transcripts.views.cohorts import home, run_detail, run_retry
from credo.transcripts.views.letters import letter_page, letter_pdf, letters_family, student_letters
from credo.transcripts.views.school_settings import grade_report, settings_page
from credo.transcripts.views.shared import (
    shared,
    shared_evidence,
    shared_evidence_file,
    shared_pdf,
    verify,
)
from credo.transcripts.views.student import NEW_LINK, preview, student_transcript
from credo.transcripts.views.versions import (
    version_evidence,
    version_evidence_file,
    version_json,
    version_page,
    version_pdf,
)

__all__ = [
    "NEW_LINK",
    "grade_report",
    "home",
    "letter_page",
    "letter_pdf",
    "letters_family",
    "preview",
    "run_detail",
    "run_retry",
    "settings_page",
    "shared",
    "shared_evidence",
    "shared_evidence_file",
    "shared_pdf",
    "student_letters",
    "student_transcript",
    "verify",
    "version_evidence",
    "version_evidence_file",
    "version_json",
    "version_page",
    "version_pdf",
]
