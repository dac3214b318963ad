"""Every write about transcripts, one module per entity, all importable from here as before:
`publishing` (a student's published version and the `version_published` signal), `runs` (publication
runs on the task queue, their recovery and retry), `sharing` (share links and their views),
`comments` (educators' comments on earned credits), `letters` (eligibility and scholarship
letters), `school_settings` (the school's policy, contact
block and grade-conversion report); `common` holds what they share.
"""

from credo.transcripts.services.comments import MAX_COMMENT, comment_add, comment_withdraw
from credo.transcripts.services.letters import letter_produce, letters_to_family_set
from credo.transcripts.services.publishing import (
    Published,
    transcript_publish,
    transcript_publish_as_of,
    version_published,
)
from credo.transcripts.services.runs import (
    MAX_ATTEMPTS,
    _enqueue_run,
    publication_run_execute,
    publication_run_recover,
    publication_run_retry,
    publication_run_start,
    publication_runs_recover,
)
from credo.transcripts.services.school_settings import (
    CONTACT_FIELDS,
    grade_conversion_set_enabled,
    grade_table_save,
    school_contact_save,
    transcript_policy_save,
)
from credo.transcripts.services.sharing import (
    DEFAULT_LINK_DAYS,
    MAX_LINK_DAYS,
    share_link_create,
    share_link_revoke,
    share_view_record,
)

__all__ = [
    "CONTACT_FIELDS",
    "DEFAULT_LINK_DAYS",
    "MAX_ATTEMPTS",
    "MAX_COMMENT",
    "MAX_LINK_DAYS",
    "Published",
    "_enqueue_run",
    "comment_add",
    "comment_withdraw",
    "grade_conversion_set_enabled",
    "grade_table_save",
    "letter_produce",
    "letters_to_family_set",
    "publication_run_execute",
    "publication_run_recover",
    "publication_run_retry",
    "publication_run_start",
    "publication_runs_recover",
    "school_contact_save",
    "share_link_create",
    "share_link_revoke",
    "share_view_record",
    "transcript_policy_save",
    "transcript_publish",
    "transcript_publish_as_of",
    "version_published",
]
