import datetime as dt

import pytest


@pytest.fixture
def world(hill, dale):
    """Two schools with history: assessments, evidence and a published transcript in Hill."""
    from credo.api.services import token_create
    from credo.evidence.services import evidence_submit
    from credo.mastery.services import assessment_record
    from credo.transcripts.services import transcript_publish

    s1 = hill.students[0]
    day = dt.date(2025, 10, 1)
    for value, c in (
        (3, hill.competencies[0]),
        (4, hill.competencies[1]),
        (2, hill.competencies[2]),
    ):
        assessment_record(
            assessor=hill.teacher,
            student=s1,
            competency=c,
            value=value,
            demonstrated_on=day,
            feedback="Well argued",
        )
    assessment_record(
        assessor=dale.teacher,
        student=dale.students[0],
        competency=dale.competencies[0],
        value=3,
        demonstrated_on=day,
    )
    evidence_submit(
        actor=hill.teacher,
        student=s1,
        kind="text",
        title="Lab write-up",
        demonstrated_on=day,
        body="Observations",
        competencies=[hill.competencies[0]],
    )
    version = transcript_publish(actor=hill.registrar, student=s1).version
    tokens = {
        "admin": token_create(
            actor=hill.admin,
            school=hill.school,
            name="sync",
            scopes=["read", "write:assessments", "admin"],
        )[1],
        "registrar": token_create(
            actor=hill.registrar, school=hill.school, name="reg", scopes=["admin"]
        )[1],
        "teacher": token_create(
            actor=hill.teacher,
            school=hill.school,
            name="gradebook",
            scopes=["read", "write:assessments"],
        )[1],
        "teacher_read": token_create(
            actor=hill.teacher, school=hill.school, name="ro", scopes=["read"]
        )[1],
        "dale_admin": token_create(
            actor=dale.admin, school=dale.school, name="dale", scopes=["read", "admin"]
        )[1],
    }
    return {"hill": hill, "dale": dale, "tokens": tokens, "version": version}
