"""The audit events the transcripts app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

GRADE_TABLE_SAVED = register(
    "grade_table.saved",
    "A grade conversion table was saved",
    "transcripts.gradeconversiontable",
)
SCHOOL_GRADE_CONVERSION_SET = register(
    "school.grade_conversion_set",
    "The grade conversion table a school uses was chosen",
    "schools.school",
)
SCHOOL_TRANSCRIPT_CONTACT_SAVED = register(
    "school.transcript_contact_saved",
    "A school's transcript contact details were saved",
    "schools.school",
)
SHARE_LINK_CREATED = register(
    "share_link.created",
    "A transcript share link was created",
    "transcripts.sharelink",
)
SHARE_LINK_REVOKED = register(
    "share_link.revoked",
    "A transcript share link was revoked",
    "transcripts.sharelink",
)
SHARE_LINK_VIEWED = register(
    "share_link.viewed",
    "Someone opened a transcript share link",
    "transcripts.sharelink",
)
TRANSCRIPT_PUBLISHED = register(
    "transcript.published",
    "A transcript version was published",
    "transcripts.transcriptversion",
)
TRANSCRIPT_RUN_FINISHED = register(
    "transcript.run_finished",
    "A transcript publication run finished",
    "transcripts.publicationrun",
)
TRANSCRIPT_RUN_INTERRUPTED = register(
    "transcript.run_interrupted",
    "A publication run stopped too often and was marked failed",
    "transcripts.publicationrun",
)
TRANSCRIPT_RUN_QUEUED = register(
    "transcript.run_queued",
    "A transcript publication run was queued",
    "transcripts.publicationrun",
)
TRANSCRIPT_RUN_RESUMED = register(
    "transcript.run_resumed",
    "An interrupted publication run was resumed",
    "transcripts.publicationrun",
)
TRANSCRIPT_RUN_RETRIED = register(
    "transcript.run_retried",
    "A failed publication run was started again",
    "transcripts.publicationrun",
)
TRANSCRIPT_COMMENT_ADDED = register(
    "transcript_comment.added",
    "A comment was added to a transcript",
    "transcripts.transcriptcomment",
)
TRANSCRIPT_COMMENT_WITHDRAWN = register(
    "transcript_comment.withdrawn",
    "A transcript comment was withdrawn",
    "transcripts.transcriptcomment",
)
TRANSCRIPT_POLICY_SAVED = register(
    "transcript_policy.saved",
    "A school's transcript policy was saved",
    "transcripts.transcriptpolicy",
)
LETTER_PRODUCED = register(
    "transcript.letter_produced",
    "An eligibility or scholarship letter was produced for a student",
    "transcripts.eligibilityletter",
)
LETTERS_TO_FAMILY_SET = register(
    "transcript_policy.letters_to_family_set",
    "Whether students and guardians may read their letters was changed",
    "transcripts.transcriptpolicy",
)
