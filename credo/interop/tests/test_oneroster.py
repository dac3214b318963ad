"""OneRoster: the conformance sample, idempotence, delta and bulk, guardians, demographics, and every
kind of malformed input reported with its place while nothing is written."""

import io
import time
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credo.accounts.models import GuardianLink, Membership, Student, User
from credo.core.models import AuditEvent
from credo.interop import oneroster, synthetic
from credo.interop.common import ImportRefused
from credo.interop.importers.oneroster import import_oneroster
from credo.interop.models import Demographics
from credo.mastery.models import GraduationStatus
from credo.schools.models import (
    Enrollment,
    LearningExperience,
    School,
    Section,
    SectionTeacher,
    Term,
)

ORG = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\nORG1,,,Ridge School,school,,\r\n"
SESSIONS = (
    "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\r\n"
    "T1,,,Fall,semester,2025-08-25,2026-01-16,,2026\r\n"
)
COURSES = (
    "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,"
    "subjectCodes\r\nC1,,,,Biology,BIO1,,ORG1,,\r\n"
)
CLASSES = (
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
    "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\r\nK1,,,Biology A,,C1,BIO1-A,scheduled,,"
    "ORG1,T1,,,\r\n"
)
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,"
    "identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,"
    "preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\r\n"
)
USERS = (
    USERS_HEADER
    + "S1,,,true,ana,,Ana,Ruiz,,N001,ana@example.org,,,G1,10,,,,,,ORG1,\r\n"
    + "S2,,,true,ben,,Ben,Okafor,,N002,,,,,12,,,,,,ORG1,\r\n"
    + "P1,,,true,tess,,Tess,Lund,,,tess@example.org,,,,,,,,,,ORG1,\r\n"
    + "G1,,,true,gil,,Gil,Ruiz,,,,,,S1,,,,,,,ORG1,\r\n"
)
ROLES = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,"
    "userProfileSourcedId\r\nR1,,,S1,primary,student,,,ORG1,\r\nR2,,,S2,primary,student,,,ORG1,\r\n"
    "R3,,,P1,primary,teacher,,,ORG1,\r\nR4,,,G1,primary,guardian,,,ORG1,\r\n"
)
ENROLLMENTS = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
    "beginDate,endDate\r\nE1,,,K1,ORG1,S1,student,,,\r\nE2,,,K1,ORG1,S2,student,,,\r\n"
    "E3,,,K1,ORG1,P1,teacher,true,,\r\n"
)
DEMOGRAPHICS = (
    "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
    "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,"
    "hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,"
    "publicSchoolResidenceStatus\r\nS1,,,2009-05-02,female,,,,,,,true,,,,\r\n"
)


def manifest(mode="bulk", tables=oneroster.TABLES):
    rows = "".join(f"file.{t},{mode if t in tables else 'absent'}\r\n" for t in oneroster.TABLES)
    return "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.2\r\n" + rows


def roster_files(mode="bulk", **override):
    files = {
        "manifest.csv": manifest(mode),
        "orgs.csv": ORG,
        "academicSessions.csv": SESSIONS,
        "courses.csv": COURSES,
        "classes.csv": CLASSES,
        "users.csv": USERS,
        "roles.csv": ROLES,
        "enrollments.csv": ENROLLMENTS,
        "demographics.csv": DEMOGRAPHICS,
    }
    files.update(override)
    return {k: v if isinstance(v, bytes) else v.encode() for k, v in files.items()}


def run(files, school=None, **kw):
    return import_oneroster(actor=None, roster=oneroster.parse(files), school=school, **kw)


def snapshot_counts():
    return (
        School.objects.count(),
        Student.objects.count(),
        User.objects.count(),
        Enrollment.objects.count(),
        Section.objects.count(),
        Term.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
def test_a_roster_makes_a_school_and_a_second_import_changes_nothing():
    summary = run(roster_files())
    school = School.objects.get(source_id="ORG1")
    assert school.name == "Ridge School"
    ana = Student.objects.get(school=school, source_id="S1")
    assert (ana.given_name, ana.student_number, ana.graduation_year) == ("Ana", "N001", 2028)
    assert Student.objects.get(source_id="S2").graduation_year == 2026
    section = Section.objects.get(school=school, source_id="K1")
    assert section.experience.code == "BIO1" and section.term.name == "Fall"
    assert Enrollment.objects.filter(section=section).count() == 2
    teacher = SectionTeacher.objects.get(section=section).user
    assert teacher.first_name == "Tess" and not teacher.has_usable_password()
    assert Membership.objects.filter(school=school, user=teacher, role="teacher").exists()
    link = GuardianLink.objects.get(school=school)
    assert (link.guardian.username, link.student) == ("gil", ana)
    assert Demographics.objects.get(student=ana).hispanic_or_latino is True
    assert GraduationStatus.objects.filter(student__school=school).count() == 2
    assert summary.changed > 0
    assert AuditEvent.objects.filter(school=school, action="import.student.created").count() == 2

    before = snapshot_counts()
    again = run(roster_files())
    assert again.changed == 0
    assert snapshot_counts() == before


@pytest.mark.django_db
def test_dry_run_reports_the_changes_and_writes_nothing():
    before = snapshot_counts()
    summary = run(roster_files(), dry_run=True)
    assert summary["student"].created == 2 and summary.notes["dry_run"] is True
    assert snapshot_counts() == before


@pytest.mark.django_db
def test_delta_applies_tobedeleted_and_bulk_removes_what_is_no_longer_listed():
    run(roster_files())
    school = School.objects.get(source_id="ORG1")
    delta = roster_files(
        "delta",
        **{
            "enrollments.csv": ENROLLMENTS.splitlines()[0]
            + "\r\nE2,tobedeleted,2025-09-01T00:00:00Z,,,,,,,\r\n",
            "users.csv": USERS_HEADER
            + "S1,active,2025-09-01T00:00:00Z,true,ana,,Ana,Ruiz-Lund,,N001,,,,G1,10,,,,,,ORG1,\r\n",
        },
    )
    for name in (
        "orgs.csv",
        "academicSessions.csv",
        "courses.csv",
        "classes.csv",
        "roles.csv",
        "demographics.csv",
    ):
        delta.pop(name)
    delta["manifest.csv"] = manifest("delta", ("users", "enrollments")).encode()
    summary = run(delta, school=school)
    assert summary["enrollment"].deleted == 1
    assert Student.objects.get(source_id="S1").family_name == "Ruiz-Lund"
    assert not Enrollment.objects.filter(source_id="E2").exists()

    # A bulk file is the whole truth: S2 is gone from it, so S2 is made inactive (never erased).
    users = USERS_HEADER + "\r\n".join(
        line for line in USERS.splitlines()[1:] if not line.startswith("S2")
    )
    roles = "\r\n".join(line for line in ROLES.splitlines() if ",S2," not in line)
    enrollments = "\r\n".join(line for line in ENROLLMENTS.splitlines() if ",S2," not in line)
    summary = run(
        roster_files(**{"users.csv": users, "roles.csv": roles, "enrollments.csv": enrollments})
    )
    ben = Student.objects.get(source_id="S2")
    assert ben.active is False
    assert summary["student"].deleted == 1


@pytest.mark.django_db
def test_renumbered_moved_and_swapped_enrollments_keep_one_row_per_student_and_class():
    """A student information system may renumber enrollments, swap them, or list a pair twice."""
    classes = CLASSES + "K2,,,Biology B,,C1,BIO1-B,scheduled,,ORG1,T1,,,\r\n"
    header = ENROLLMENTS.splitlines()[0] + "\r\n"
    first = header + "E1,,,K1,ORG1,S1,student,,,\r\nE2,,,K2,ORG1,S2,student,,,\r\n"
    run(roster_files(**{"classes.csv": classes, "enrollments.csv": first}))
    k1, k2 = Section.objects.get(source_id="K1"), Section.objects.get(source_id="K2")

    def pairs():
        return {
            (e.source_id, e.section.source_id, e.student.source_id)
            for e in Enrollment.objects.select_related("section", "student")
        }

    # Swapped: each enrollment id now names the other's class (no row may hold a pair twice).
    swapped = header + "E1,,,K2,ORG1,S1,student,,,\r\nE2,,,K1,ORG1,S2,student,,,\r\n"
    summary = run(roster_files(**{"classes.csv": classes, "enrollments.csv": swapped}))
    assert summary["enrollment"].updated == 2
    assert pairs() == {("E1", "K2", "S1"), ("E2", "K1", "S2")}
    # Renumbered: the old ids are gone from the bulk file, new ids name the same pairs. The
    # students stay in their classes (the old rows go before the new ones come).
    renumbered = header + "N1,,,K2,ORG1,S1,student,,,\r\nN2,,,K1,ORG1,S2,student,,,\r\n"
    summary = run(roster_files(**{"classes.csv": classes, "enrollments.csv": renumbered}))
    assert pairs() == {("N1", "K2", "S1"), ("N2", "K1", "S2")}
    # Listed twice: the row that holds the pair keeps it, the second id is skipped.
    twice = renumbered + "N3,,,K1,ORG1,S2,student,,,\r\n"
    summary = run(roster_files(**{"classes.csv": classes, "enrollments.csv": twice}))
    assert summary["enrollment"].skipped == 1 and summary.changed == 0
    assert pairs() == {("N1", "K2", "S1"), ("N2", "K1", "S2")}
    # A second id for a pair moves onto a pair that another row holds: one row stays.
    onto = header + "N1,,,K1,ORG1,S2,student,,,\r\nN2,,,K1,ORG1,S2,student,,,\r\n"
    run(roster_files(**{"classes.csv": classes, "enrollments.csv": onto}))
    assert pairs() == {("N2", "K1", "S2")}
    assert k1.pk != k2.pk
    assert run(roster_files(**{"classes.csv": classes, "enrollments.csv": onto})).changed == 0


@pytest.mark.django_db
def test_an_import_into_a_named_school_keeps_the_school_and_adopts_its_org(hill):
    run(roster_files(), school=hill.school)
    hill.school.refresh_from_db()
    assert hill.school.source_id == "ORG1" and hill.school.name == "Hill School"
    assert Student.objects.filter(school=hill.school, source_id="S1").exists()
    assert not School.objects.filter(name="Ridge School").exists()


def place(problems):
    return {(p.file, p.line, p.column) for p in problems}


@pytest.mark.django_db
def test_every_problem_is_reported_with_its_place_and_nothing_is_written():
    bad = roster_files(
        **{
            # missing column, bad date, end before start
            "academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId\r\n"
            "T1,,,Fall,semester,2025-13-01,2025-01-01,\r\n",
            # unknown course and term references
            "classes.csv": CLASSES + "K2,,,Art,,C9,,scheduled,,ORG1,T9,,,\r\n",
            # duplicate sourcedId, and an unknown user in enrollments
            "users.csv": USERS + "S1,,,true,ana2,,Ana,Two,,N009,,,,,,,,,,,ORG1,\r\n",
            "enrollments.csv": ENROLLMENTS + "E4,,,K1,ORG1,NOBODY,student,,,\r\n",
            # not UTF-8 (Latin-1 é) on line 2
            "demographics.csv": DEMOGRAPHICS.replace("female", "f\xe9male").encode("latin-1"),
        }
    )
    before = snapshot_counts()
    with pytest.raises(ImportRefused) as caught:
        run(bad)
    problems = caught.value.problems
    where = place(problems)
    assert ("academicSessions.csv", 1, "schoolYear") in where
    assert ("academicSessions.csv", 2, "startDate") in where
    assert ("classes.csv", 3, "courseSourcedId") in where
    assert ("classes.csv", 3, "termSourcedIds") in where
    assert ("users.csv", 6, "sourcedId") in where
    assert ("enrollments.csv", 5, "userSourcedId") in where
    assert any(
        p.file == "demographics.csv" and p.line == 2 and "UTF-8" in p.message for p in problems
    )
    assert all(str(p).count(":") >= 3 for p in problems)
    assert snapshot_counts() == before


def zip_of(files) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "bad.zip"
    path.write_bytes(
        zip_of(
            roster_files(
                **{
                    "enrollments.csv": ENROLLMENTS + "E4,,,K7,ORG1,S1,student,,,\r\n",
                    "courses.csv": COURSES + "C1,,,,Again,X,,ORG1,,\r\n",
                }
            )
        )
    )
    with pytest.raises(CommandError) as caught:
        call_command("import", "oneroster", str(path))
    assert caught.value.returncode == 1
    err = capsys.readouterr().err
    assert "enrollments.csv:5: classSourcedId: unknown class “K7”" in err
    assert "courses.csv:3: sourcedId: “C1” appears twice in this file (first on line 2)" in err
    assert not School.objects.exists()


@pytest.mark.django_db
def test_the_command_imports_a_folder_and_reports_what_changed(tmp_path, capsys):
    for name, data in roster_files().items():
        (tmp_path / name).write_bytes(data)
    call_command("import", "oneroster", str(tmp_path))
    out = capsys.readouterr().out
    assert "student" in out and "changed" in out
    call_command("import", "oneroster", str(tmp_path), "--dry-run")
    assert "Nothing to change" in capsys.readouterr().out


@pytest.mark.interop
@pytest.mark.django_db
def test_the_conformance_sample_imports_and_reimports_unchanged(hill, shared_interop):
    path = shared_interop / "oneroster-samples" / "oneroster-1.2-small.zip"
    files = oneroster.read_source(path)
    summary = run(files, school=hill.school)
    bruce = Student.objects.get(school=hill.school, source_id="USER_0")
    assert bruce.full_name == "Bruce Wayne"
    assert (
        Section.objects.get(school=hill.school, source_id="CLASS_001").experience.title
        == "Crime Fighting 101"
    )
    assert Demographics.objects.get(student=bruce).birth_date.isoformat() == "2010-04-17"
    assert any(
        "userProfiles.csv" in w for w in summary.warnings
    )  # it holds passwords: never imported
    assert run(files, school=hill.school).changed == 0


@pytest.mark.slow
@pytest.mark.django_db
def test_a_large_roster_imports_whole_and_reimports_unchanged():
    # How fast is measured by `credo bench` (its oneroster section), never by a timed test.
    files = synthetic.generate()
    assert files["enrollments.csv"].count(b"\n") - 1 == 40000
    summary = run(files)
    school = School.objects.get(source_id="org-synthetic-1")
    assert Student.objects.filter(school=school).count() == 5000
    assert Section.objects.filter(school=school).count() == 300
    assert (
        Enrollment.objects.filter(school=school).count()
        + SectionTeacher.objects.filter(school=school).count()
        == 40000
    )
    assert summary.changed > 40000
    assert run(files).changed == 0
    assert LearningExperience.objects.filter(school=school).count() == 100


# --- organisations, skips, limits -----------------------------------------------------------------

DEPT_ORGS = ORG.rstrip("\r\n") + "\r\n" + "D1,,,Science department,department,,ORG1\r\n"


def _hang_off(org: str, files: dict) -> dict:
    """Move the classes, courses, roles and enrollments of the set from ORG1 to `org`."""
    for name in ("classes.csv", "courses.csv", "roles.csv", "enrollments.csv"):
        files[name] = files[name].replace(b",ORG1,", f",{org},".encode())
    return files


@pytest.mark.django_db
def test_a_department_stands_for_its_school():
    """A set whose people, classes and enrollments hang off a department imports them all."""
    summary = run(_hang_off("D1", roster_files(**{"orgs.csv": DEPT_ORGS})))
    school = School.objects.get(source_id="ORG1")
    assert School.objects.count() == 1
    assert Student.objects.filter(school=school).count() == 2
    assert Section.objects.filter(school=school).count() == 1
    assert Enrollment.objects.filter(school=school).count() == 2
    assert SectionTeacher.objects.filter(school=school).count() == 1
    assert summary.skipped() == []
    assert run(_hang_off("D1", roster_files(**{"orgs.csv": DEPT_ORGS}))).changed == 0


@pytest.mark.django_db
def test_a_district_with_one_school_stands_for_it_and_with_two_is_reported_as_skipped():
    one = (
        ORG.rstrip("\r\n").replace("school,,", "school,,DIS") + "\r\nDIS,,,District,district,,\r\n"
    )
    summary = run(_hang_off("DIS", roster_files(**{"orgs.csv": one})))
    assert Student.objects.count() == 2 and summary.skipped() == []

    two = one + "ORG2,,,Other School,school,,DIS\r\n"
    files = _hang_off("DIS", roster_files(**{"orgs.csv": two}))
    summary = run(files, school=School.objects.get(source_id="ORG1"), dry_run=True)
    skipped = {(s["kind"], s["count"]) for s in summary.skipped()}
    assert ("class", 1) in skipped and ("enrollment", 3) in skipped
    reasons = " ".join(s["reason"] for s in summary.skipped())
    assert "has several schools" in reasons


@pytest.mark.django_db
def test_tobedeleted_for_an_unknown_id_is_reported_as_skipped_not_silent():
    run(roster_files())
    files = roster_files("delta")
    files["enrollments.csv"] = (
        ENROLLMENTS.splitlines()[0] + "\r\nE99,tobedeleted,2025-09-01T00:00:00Z,,,,,,,\r\n"
    ).encode()
    for name in (
        "orgs.csv",
        "academicSessions.csv",
        "courses.csv",
        "classes.csv",
        "users.csv",
        "roles.csv",
        "demographics.csv",
    ):
        files.pop(name)
    files["manifest.csv"] = manifest("delta", ("enrollments",)).encode()
    summary = run(files, school=School.objects.get(source_id="ORG1"))
    assert summary.changed == 0
    (skip,) = summary.skipped()
    assert skip["kind"] == "enrollment" and skip["examples"] == ["enrollments.csv:2"]
    assert "no earlier import brought it in" in skip["reason"]


def test_a_zip_bomb_is_refused_at_once_with_bounded_memory():
    import tracemalloc

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("users.csv", "w") as member,
    ):
        for _ in range(200):
            member.write(b"x" * (1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 300 * 1024  # about 200 KB that would unpack to 200 MB
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(oneroster.ArchiveRefused) as caught:
        oneroster.read_zip(data)
    took = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "compressed" in str(caught.value)
    assert took < 1.0 and peak < 5 * 1024 * 1024, (took, peak)


def test_a_zip_too_big_unpacked_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(oneroster.archive, "MAX_UNPACKED", 1000)  # the limit read_zip reads
    data = zip_of({"users.csv": USERS * 20, "manifest.csv": manifest()})
    with pytest.raises(oneroster.ArchiveRefused) as caught:
        oneroster.read_zip(data)
    assert "would unpack to" in str(caught.value)
