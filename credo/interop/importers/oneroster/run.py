"""Apply a checked OneRoster set to one or more schools, in one transaction.

Idempotent on `sourcedId`: a record seen before is updated only where a value differs, so
importing the same set twice changes nothing the second time. A `delta` table applies
`tobedeleted`; a `bulk` table (per the manifest) also removes what an earlier import brought
in and the file no longer lists. Students are never erased — their history stays — they are
made inactive. Demographics go to their own restricted table.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.text import slugify

from credo.accounts.models import User
from credo.core.audit import audit_record, snapshot
from credo.interop.common import Problems, Summary, no_progress
from credo.interop.events import IMPORT_SCHOOL_CREATED, IMPORT_SCHOOL_UPDATED
from credo.interop.importers.base import refuse_if, run_atomically
from credo.interop.importers.oneroster.common import ROLE_MAP, SYSTEM, TEACHING_ROLES, Target
from credo.interop.importers.oneroster.school import _SchoolRun
from credo.interop.models import Demographics, SourceLink
from credo.interop.oneroster import Record, Roster
from credo.interop.roster_export import own_pk
from credo.schools.models import Enrollment, LearningExperience, School, Section, Term


class RosterImport:
    """One run over a roster. `run()` returns the summary; it raises ImportRefused on any problem."""

    def __init__(self, *, actor, roster: Roster, school: School | None, progress=None):
        self.actor = actor
        self.roster = roster
        self.school = school
        self.progress = progress or no_progress
        self.problems = Problems()
        for p in roster.problems:
            self.problems.items.append(p)
        self.summary = Summary()
        self.users_by_sid: dict[str, User] = {}  # shared between the schools of one run
        self.school_of = self._org_map()

    # --- organisations -------------------------------------------------------------------------

    def _org_map(self) -> dict[str, str | None]:
        """Map each organisation of the set to the school it stands for.

        A school stands for itself; a department for the school above it; a district (or any
        organisation above schools) for its one school, and for none when it has several.
        """
        orgs = self.roster.table("orgs")
        children: dict[str, list[str]] = defaultdict(list)
        for sid, org in orgs.items():
            if org["parent"]:
                children[org["parent"]].append(sid)
        mapping: dict[str, str | None] = {}
        for sid, org in orgs.items():
            if org.deleted:
                continue
            if org["type"] == "school":
                mapping[sid] = sid
            elif org["type"] == "department":
                node, seen = org["parent"], {sid}
                while node in orgs and node not in seen and orgs[node]["type"] != "school":
                    seen.add(node)
                    node = orgs[node]["parent"]
                mapping[sid] = node if node in orgs and orgs[node]["type"] == "school" else None
            else:
                below, todo, seen = [], list(children.get(sid, ())), {sid}
                while todo:
                    node = todo.pop()
                    if node in seen or orgs[node].deleted:
                        continue
                    seen.add(node)
                    if orgs[node]["type"] == "school":
                        below.append(node)
                    else:
                        todo.extend(children.get(node, ()))
                mapping[sid] = below[0] if len(below) == 1 else None
        return mapping

    def resolve(self, org_id: str) -> str | None:
        """Return the school organisation `org_id` stands for (itself when the set does not say)."""
        return self.school_of.get(org_id, org_id)

    def _why(self, org_id: str) -> str:
        org = self.roster.table("orgs").get(org_id)
        if org is not None and org_id in self.school_of and self.school_of[org_id] is None:
            if org["type"] == "department":
                return f"its organisation “{org_id}” is a department under no school of the set"
            return (
                f"its organisation “{org_id}” ({org['type']}) has several schools; "
                "say which one in the file"
            )
        return f"its school “{org_id}” is not one this import brings in"

    def _note_skips(self, targets: list[Target]) -> None:
        """Count, with the reason, every active record that no school of this import takes."""
        roster, skip = self.roster, self.summary.skip
        orgs = {t.org_id for t in targets}

        def place(r: Record) -> str:
            return f"{r.file}:{r.line}"

        placed_classes = set()
        for c in roster.active("classes"):
            if self.resolve(c["school"]) in orgs:
                placed_classes.add(c.sourced_id)
            else:
                skip("class", self._why(c["school"]), place(c))
        used_courses = {
            c["course"] for c in roster.active("classes") if c.sourced_id in placed_classes
        }
        for c in roster.active("courses"):
            if c.sourced_id not in used_courses and self.resolve(c["org"]) not in orgs:
                skip("course", self._why(c["org"]), place(c))
        people: set[str] = set()
        for e in roster.active("enrollments"):
            if e["class"] not in placed_classes and self.resolve(e["school"]) not in orgs:
                skip("enrollment", self._why(e["school"]), place(e))
            elif e["role"] == "student" or e["role"] in TEACHING_ROLES:
                people.add(e["user"])
            else:
                skip(
                    "enrollment",
                    f"the role “{e['role']}” in a class: Credo's sections hold students and teachers",
                    place(e),
                )
        for role in roster.active("roles"):
            if self.resolve(role["org"]) not in orgs:
                skip("role", self._why(role["org"]), place(role))
            elif role["role"] not in ROLE_MAP:
                skip(
                    "role", f"“{role['role']}” has no counterpart among Credo's roles", place(role)
                )
            else:
                people.add(role["user"])
        school_ids = [t.school.pk for t in targets if t.school.pk]
        known_users = set(
            SourceLink.objects.filter(
                school_id__in=school_ids, system=SYSTEM, kind="user"
            ).values_list("source_id", flat=True)
        )
        for u in roster.active("users"):
            if u.sourced_id not in people and u.sourced_id not in known_users and not u["role"]:
                skip("user", "no role or enrollment in a school of this import", place(u))
        # tobedeleted for what no earlier import brought in: nothing to delete.
        stored = {
            "academicSessions": Term.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "courses": LearningExperience.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "classes": Section.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "users": known_users,
            "demographics": Demographics.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "orgs": School.objects.exclude(source_id="").values_list("source_id", flat=True),
        }
        enrolled = set(
            Enrollment.objects.filter(school_id__in=school_ids).values_list("source_id", flat=True)
        ) | set(
            SourceLink.objects.filter(
                school_id__in=school_ids, system=SYSTEM, kind="teaching"
            ).values_list("source_id", flat=True)
        )
        kinds = {
            "academicSessions": "term",
            "courses": "course",
            "classes": "class",
            "users": "user",
            "demographics": "demographics",
            "orgs": "org",
            "enrollments": "enrollment",
            "roles": "role",
        }
        for table, kind in kinds.items():
            deleted = roster.deleted(table)
            if not deleted:
                continue
            if table == "roles":
                for r in deleted:
                    skip(
                        kind,
                        "roles are not kept one by one: a role goes when users.csv or roles.csv "
                        "comes in bulk without it, or its user is marked tobedeleted",
                        place(r),
                    )
                continue
            known = enrolled if table == "enrollments" else set(stored[table])
            for r in deleted:
                if r.sourced_id not in known:
                    skip(
                        kind,
                        "marked tobedeleted, but no earlier import brought it in: nothing to delete",
                        place(r),
                    )

    # --- which schools -----------------------------------------------------------------------

    def _targets(self) -> list[Target]:
        orgs = self.roster.table("orgs")
        school_orgs = [r for r in orgs.values() if not r.deleted and r["type"] == "school"]
        referenced = {r["school"] for r in self.roster.active("classes")} | {
            r["school"] for r in self.roster.active("enrollments")
        }
        referenced.discard("")
        if self.school is not None:
            if self.school.source_id and (
                self.school.source_id in orgs
                or self.school.source_id in referenced
                or not school_orgs
            ):
                return [Target(self.school, self.school.source_id)]
            candidates = [r.sourced_id for r in school_orgs] or sorted(referenced)
            if len(candidates) == 1:
                return [Target(self.school, candidates[0])]
            place = school_orgs[0] if school_orgs else None
            self.problems.add(
                place.file if place else "orgs.csv",
                place.line if place else 1,
                "sourcedId",
                f"the set describes {len(candidates)} schools ({', '.join(candidates[:5])}); "
                f"import it without --school to bring in each school, or give {self.school.slug} "
                "the sourcedId of its organisation first",
            )
            return []
        if not school_orgs:
            self.problems.add(
                "orgs.csv",
                1,
                "type",
                "no organisation of type school; say which school with --school",
            )
            return []
        existing = {
            s.source_id: s
            for s in School.objects.filter(source_id__in=[r.sourced_id for r in school_orgs])
        }
        own = {own_pk(r.sourced_id, "school"): r.sourced_id for r in school_orgs}
        for s in School.objects.filter(pk__in=[pk for pk in own if pk], source_id=""):
            existing[own[s.pk]] = s  # a school Credo made, exported under Credo's own id
        targets = []
        taken = set(School.objects.values_list("slug", flat=True))
        for record in school_orgs:
            school = existing.get(record.sourced_id)
            if school is None:
                base = slugify(record["name"])[:40] or "school"
                slug, n = base, 2
                while slug in taken:
                    slug, n = f"{base}-{n}", n + 1
                taken.add(slug)
                school = School(name=record["name"], slug=slug, source_id=record.sourced_id)
                targets.append(Target(school, record.sourced_id, created=True))
            else:
                targets.append(Target(school, record.sourced_id))
        return targets

    def _known_org_ids(self) -> set[str]:
        ids = set(self.roster.table("orgs"))
        ids |= set(School.objects.exclude(source_id="").values_list("source_id", flat=True))
        return ids

    # --- the run -----------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> Summary:
        targets = self._targets()
        known_orgs = self._known_org_ids()
        for table in ("classes", "enrollments", "roles", "courses"):
            column = {
                "classes": "schoolSourcedId",
                "enrollments": "schoolSourcedId",
                "roles": "orgSourcedId",
                "courses": "orgSourcedId",
            }[table]
            key = {"classes": "school", "enrollments": "school", "roles": "org", "courses": "org"}[
                table
            ]
            for r in self.roster.active(table):
                if (
                    r[key]
                    and r[key] not in known_orgs
                    and not (
                        self.school is not None
                        and len(targets) == 1
                        and r[key] == targets[0].org_id
                    )
                ):
                    self.problems.add(r.file, r.line, column, f"unknown organisation “{r[key]}”")
        if self.problems or not targets:
            # Reference checks need the schools; report what is known so far with everything else.
            for t in targets:
                _SchoolRun(self, t).check_only()
            refuse_if(self.problems)

        self._note_skips(targets)

        def apply() -> Summary:
            for i, target in enumerate(targets):
                if target.created:
                    target.school.full_clean()
                    target.school.save()
                    audit_record(
                        actor=self.actor,
                        school=target.school,
                        action=IMPORT_SCHOOL_CREATED,
                        target=target.school,
                        after=snapshot(target.school),
                        note=SYSTEM,
                    )
                    self.summary["school"].created += 1
                elif (
                    self.school is not None
                    and not target.school.source_id
                    and own_pk(target.org_id, "school") != target.school.pk
                ):
                    before = snapshot(target.school, ["source_id"])
                    target.school.source_id = target.org_id
                    target.school.save(update_fields=["source_id"])
                    audit_record(
                        actor=self.actor,
                        school=target.school,
                        action=IMPORT_SCHOOL_UPDATED,
                        target=target.school,
                        before=before,
                        after={"source_id": target.org_id},
                        note=SYSTEM,
                    )
                    self.summary["school"].updated += 1
                else:
                    self.summary["school"].unchanged += 1
                _SchoolRun(self, target, index=i, total=len(targets)).apply()
            refuse_if(self.problems)
            return self.summary

        summary = run_atomically(apply, dry_run=dry_run)
        summary.notes["schools"] = [t.school.slug for t in targets]
        summary.notes["oneroster_version"] = self.roster.version or "unknown"
        summary.notes["modes"] = dict(self.roster.modes)
        if self.roster.ignored:
            summary.warnings.append(
                "Not imported (Credo has no use for them, or they hold passwords): "
                + ", ".join(sorted(self.roster.ignored))
            )
        return summary


def import_oneroster(
    *, actor, roster: Roster, school: School | None = None, dry_run: bool = False, progress=None
) -> Summary:
    """Import a parsed OneRoster set; return what changed (or would change, when `dry_run`).

    Raise ImportRefused listing every problem, with nothing written, when the set has any.
    """
    return RosterImport(actor=actor, roster=roster, school=school, progress=progress).run(
        dry_run=dry_run
    )
