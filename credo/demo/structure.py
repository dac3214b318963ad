"""Stage one of a demo school: the school, its frameworks, credits, courses, terms and people."""

from __future__ import annotations

import datetime as dt

from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.demo import content
from credo.demo.content import DEMO_TODAY
from credo.demo.simulation import _Comp, _Pupil, _Scale
from credo.demo.tables import _at, _insert
from credo.frameworks.models import Competency, Framework, Outcome, ProficiencyScale, ScaleLevel
from credo.mastery.models import (
    CreditArea,
    CreditRequirementItem,
    GraduationRule,
    GraduationRuleCredit,
    MasteryCredit,
)
from credo.schools.models import ExperienceAlignment, LearningExperience, School, Term


class _Structure:
    """The school's structure: built before any learning happens."""

    # --- structure -------------------------------------------------------------------------

    def build_structure(self) -> None:
        spec = self.spec
        self.school = School.objects.create(
            name=spec.name,
            short_name=spec.short_name,
            slug=spec.slug,
            network=self.network,
            mission=spec.mission,
            context=spec.context,
            credit_policy=spec.credit_policy,
            city=spec.city,
            website=spec.website,
            enrollment_size=spec.enrollment_size,
            school_code=spec.school_code,
            counselor_name=spec.counselor[0],
            counselor_email=spec.counselor[1],
            counselor_phone=spec.counselor[2],
            as_of=DEMO_TODAY,  # its records end that day; its pages read as they did then
        )
        self._frameworks()
        self._credits()
        self._experiences()
        self._terms()
        self._people()

    def _frameworks(self) -> None:
        spec, school = self.spec, self.school
        self.scales: dict[str, ProficiencyScale] = {}
        self.sim_scales: dict[str, _Scale] = {}
        for s in spec.scales:
            self.scales[s.key] = ProficiencyScale.objects.create(
                school=school,
                name=s.name,
                mastery_threshold=s.mastery_threshold,
                exceeds_threshold=s.exceeds_threshold,
                min_value=s.min_value,
                max_value=s.max_value,
            )
            self.sim_scales[s.key] = _Scale(s)
        _insert(
            ScaleLevel,
            [
                ScaleLevel(
                    school=school,
                    scale=self.scales[s.key],
                    value=lv.value,
                    label=lv.label,
                    description=lv.description,
                )
                for s in spec.scales
                for lv in s.levels
            ],
        )
        advanced_only = self._advanced_only_codes()
        self.comp_by_code: dict[str, Competency] = {}
        self.sim: dict[str, _Comp] = {}
        self.frameworks: dict[str, Framework] = {}
        for fw in spec.frameworks:
            framework = Framework.objects.create(
                school=school,
                name=fw.name,
                kind=fw.kind,
                description=fw.description,
                scale=self.scales[fw.scale],
                calculation_method=fw.method,
                calculation_param=fw.param,
                counts_formative=fw.counts_formative,
                version=fw.version,
            )
            self.frameworks[fw.key] = framework
            outcomes = {
                o.code: o
                for o in _insert(
                    Outcome,
                    [
                        Outcome(
                            school=school,
                            framework=framework,
                            code=o.code,
                            title=o.title,
                            description=o.description,
                            order=i,
                        )
                        for i, o in enumerate(fw.outcomes, start=1)
                    ],
                )
            }
            # Insert level by level so every parent has its key before its children.
            level = [
                (node, None, outcome)
                for node, _parent, outcome in content.walk(fw.competencies)
                if _parent is None
            ]
            sequence = 0
            while level:
                rows = []
                for node, parent, outcome in level:
                    sequence += 1
                    rows.append(
                        Competency(
                            school=school,
                            framework=framework,
                            parent=parent,
                            kind=node.kind,
                            code=node.code,
                            statement=node.statement,
                            sequence=sequence,
                            outcome=outcomes.get(outcome) if outcome else None,
                            calculation_method=node.method,
                            calculation_param=node.param,
                        )
                    )
                _insert(Competency, rows)
                nxt = []
                for (node, _parent, outcome), row in zip(level, rows, strict=True):
                    self.comp_by_code[node.code] = row
                    if node.is_assessable:
                        difficulty = self.rng.gauss(0.0, 0.2) + (
                            self.advanced_difficulty if node.code in advanced_only else 0
                        )
                        self.sim[node.code] = _Comp(
                            row.pk,
                            node.code,
                            fw.kind == "habits",
                            self.sim_scales[fw.scale],
                            difficulty,
                            node.method or fw.method,
                            node.param if node.method else fw.param,
                        )
                    nxt += [(child, row, child.outcome or outcome) for child in node.children]
                level = nxt
        self.by_id = {c.id: c for c in self.sim.values()}
        self.summary.competencies = len(self.comp_by_code)
        self.summary.assessable = len(self.sim)
        self.habit_codes = [c.code for c in self.sim.values() if c.habit]

    def _advanced_only_codes(self) -> set[str]:
        foundational = {
            i.competency for c in self.spec.credits if c.level == "foundational" for i in c.items
        }
        return {
            i.competency for c in self.spec.credits if c.level == "advanced" for i in c.items
        } - foundational

    def _credits(self) -> None:
        spec, school = self.spec, self.school
        self.areas = {
            a.code: a
            for a in _insert(
                CreditArea,
                [
                    CreditArea(
                        school=school,
                        code=a.code,
                        name=a.name,
                        colour=a.colour,
                        order=a.order,
                        description=a.description,
                    )
                    for a in spec.areas
                ],
            )
        }
        self.credit_specs = {c.code: c for c in spec.credits}
        self.credits = {
            c.code: c
            for c in _insert(
                MasteryCredit,
                [
                    MasteryCredit(
                        school=school,
                        area=self.areas[c.area],
                        level=c.level,
                        code=c.code,
                        title=c.title,
                        standard=c.standard,
                        rule=c.rule,
                        rule_n=c.rule_n,
                        min_evidence=c.min_evidence,
                        review_required=c.review_required,
                        order=c.order,
                    )
                    for c in spec.credits
                ],
            )
        }
        _insert(
            CreditRequirementItem,
            [
                CreditRequirementItem(
                    school=school,
                    credit=self.credits[c.code],
                    competency=self.comp_by_code[i.competency],
                    points=i.points,
                    required=i.required,
                )
                for c in spec.credits
                for i in c.items
            ],
        )
        # A credit serves the graduate-profile outcomes its competencies belong to.
        served = MasteryCredit.outcomes.through
        served.objects.bulk_create(
            served(masterycredit_id=self.credits[c.code].pk, outcome_id=outcome_id)
            for c in spec.credits
            for outcome_id in sorted(
                {self.comp_by_code[i.competency].outcome_id for i in c.items} - {None}
            )
        )
        rules = []
        for r in spec.graduation_rules:
            for cohort in r.cohorts or (None,):
                rules.append(
                    (
                        r,
                        GraduationRule(
                            school=school,
                            from_cohort=cohort,
                            until_cohort=cohort,
                            kind=r.kind,
                            level=r.level,
                            area=self.areas[r.area] if r.area else None,
                            n=r.n,
                            # One rule per cohort, each worded for its own class.
                            description=r.description.format(cohort=cohort),
                        ),
                    )
                )
        _insert(GraduationRule, [row for _, row in rules])
        _insert(
            GraduationRuleCredit,
            [
                GraduationRuleCredit(school=school, rule=row, credit=self.credits[code])
                for r, row in rules
                for code in r.credits
            ],
        )
        self.summary.credits = len(spec.credits)
        self.summary.foundational = sum(1 for c in spec.credits if c.level == "foundational")
        self.summary.advanced = self.summary.credits - self.summary.foundational
        # credit id -> (spec, competency ids)
        self.credit_items = {
            self.credits[c.code].pk: (c, [self.comp_by_code[i.competency].pk for i in c.items])
            for c in spec.credits
        }

    def _experiences(self) -> None:
        spec, school = self.spec, self.school
        self.experiences = {
            e.code: e
            for e in _insert(
                LearningExperience,
                [
                    LearningExperience(
                        school=school,
                        kind=e.kind,
                        code=e.code,
                        title=e.title,
                        description=e.description,
                    )
                    for e in spec.experiences
                ],
            )
        }
        self.leaves: dict[str, list[_Comp]] = {}
        rows = []
        for e in spec.experiences:
            codes = list(
                dict.fromkeys(c for code in e.aligned for c in content.assessable_under(spec, code))
            )
            self.leaves[e.code] = [self.sim[c] for c in codes]
            rows += [
                ExperienceAlignment(
                    school=school,
                    experience=self.experiences[e.code],
                    competency=self.comp_by_code[c],
                )
                for c in codes
            ]
        _insert(ExperienceAlignment, rows)
        self.summary.experiences = len(spec.experiences)

    def _terms(self) -> None:
        rows = []
        for year in content.SCHOOL_YEARS:
            label = f"{year}–{str(year + 1)[2:]}"
            for t in self.spec.terms:
                start, end = t.dates(year)
                if start <= DEMO_TODAY:
                    rows.append(
                        Term(
                            school=self.school,
                            name=f"{t.name} {label}",
                            school_year=f"{year}-{str(year + 1)[2:]}",
                            starts_on=start,
                            ends_on=end,
                        )
                    )
        self.terms = _insert(Term, rows)

    def _user(self, local: str, name: str, joined: dt.date) -> User:
        first, *_rest = name.split()
        user = User(
            username=f"{local}@{self.spec.slug}",
            password=self.password,
            display_name=name,
            first_name=first,
            last_name=name.split()[-1] if " " in name else "",
            email=f"{local}@{self.spec.slug}.example.org",
            date_joined=_at(joined, 8),
        )
        self.users.append(user)
        return user

    def _people(self) -> None:
        spec, rng, school = self.spec, self.rng, self.school
        start = dt.date(content.SCHOOL_YEARS[0], 8, 1)
        self.admin = self._user("admin", spec.admin.name, start)
        self.registrar = self._user("registrar", spec.registrar.name, start)
        self.teacher_users = [
            self._user(f"teacher{i}", s.name, start) for i, s in enumerate(spec.teachers, start=1)
        ]
        self.advisor_users = [
            self._user(f"advisor{i}", s.name, start) for i, s in enumerate(spec.advisors, start=1)
        ]
        self.reviewer_users = [
            self._user(f"reviewer{i}", s.name, start) for i, s in enumerate(spec.reviewers, start=1)
        ]

        # Students: numbered so that student1 is a senior, student2 a junior, and so on.
        names = spec.names
        seen: set[tuple[str, str]] = set()
        plans = []
        for number in range(1, self.n_students + 1):
            cohort = content.COHORTS[(number - 1) % len(content.COHORTS)]
            sibling = None
            if number > 8 and rng.random() < 0.06:
                sibling = plans[self._int(len(plans))]
            family = sibling["family"] if sibling else self._pick(names.family)
            given = self._pick(names.given)
            while (given, family) in seen:
                given = self._pick(names.given)
            seen.add((given, family))
            r = rng.random()
            if (
                number <= 4
            ):  # the first accounts on the landing page show a steady, successful record
                ability = (0.35, 0.2, 0.15, 0.3)[number - 1]
            elif r < 0.06:  # struggling
                ability = rng.gauss(-0.85, 0.15)
            elif r < 0.12:  # fast
                ability = rng.gauss(0.65, 0.12)
            else:
                ability = rng.gauss(0.0, 0.32)
            plans.append(
                {
                    "number": number,
                    "cohort": cohort,
                    "given": given,
                    "family": family,
                    "sibling": sibling,
                    "ability": ability,
                }
            )
        student_users = [
            self._user(
                f"student{p['number']}",
                f"{p['given']} {p['family']}",
                dt.date(max(p["cohort"] - 4, content.SCHOOL_YEARS[0]), 8, 20),
            )
            for p in plans
        ]

        guardians: list[list[User]] = []
        guardian_number = 0
        self.guardian_links: list[tuple[User, int, str]] = []
        for p, su in zip(plans, student_users, strict=True):
            if p["sibling"] is not None:
                mine = guardians[p["sibling"]["number"] - 1]
            else:
                mine = []
                for k in range(2 if rng.random() < 0.55 else 1):
                    guardian_number += 1
                    family = (
                        p["family"] if k == 0 or rng.random() < 0.7 else self._pick(names.family)
                    )
                    mine.append(
                        self._user(
                            f"guardian{guardian_number}",
                            f"{self._pick(names.guardian_given)} {family}",
                            su.date_joined.date(),
                        )
                    )
            guardians.append(mine)
        _insert(User, self.users)

        advisors = self.advisor_users
        students = []
        for p, su in zip(plans, student_users, strict=True):
            born = dt.date(p["cohort"] - 18, 9, 1) + dt.timedelta(days=self._int(365))
            students.append(
                Student(
                    school=school,
                    user=su,
                    given_name=p["given"],
                    family_name=p["family"],
                    student_number=f"{spec.slug[:2].upper()}{p['cohort'] % 100:02d}{p['number']:04d}",
                    graduation_year=p["cohort"],
                    birth_date=born,
                    advisor=advisors[(p["number"] - 1) // 4 % len(advisors)],
                )
            )
        _insert(Student, students)

        self.pupils: list[_Pupil] = []
        plan_by_number = {}
        for p, s, su in zip(plans, students, student_users, strict=True):
            accommodated = rng.random() < 0.08
            pupil = _Pupil(
                number=p["number"],
                obj=s,
                user_id=su.pk,
                cohort=p["cohort"],
                ability=p["ability"],
                habit=0.6 * p["ability"] + rng.gauss(0, 0.3),
                persistence=min(0.85, max(0.1, 0.45 + 0.4 * p["ability"] + rng.gauss(0, 0.12))),
                accommodated=accommodated,
                modified=accommodated and rng.random() < 0.2,
                advisor_id=s.advisor_id,
            )
            self.pupils.append(pupil)
            plan_by_number[p["number"]] = pupil
        self._demographics(self.seed)
        for p, mine in zip(plans, guardians, strict=True):
            for k, g in enumerate(mine):
                relationship = (
                    ("mother", "father")[k % 2]
                    if rng.random() < 0.7
                    else self._pick(content.RELATIONSHIPS)
                )
                self.guardian_links.append((g, plan_by_number[p["number"]].obj.pk, relationship))

        m = [
            Membership(school=school, user=self.admin, role=Role.ADMIN),
            Membership(school=school, user=self.registrar, role=Role.REGISTRAR),
        ]
        m += [Membership(school=school, user=u, role=Role.TEACHER) for u in self.teacher_users]
        m += [Membership(school=school, user=u, role=Role.ADVISOR) for u in self.advisor_users]
        m += [Membership(school=school, user=u, role=Role.REVIEWER) for u in self.reviewer_users]
        m += [Membership(school=school, user=u, role=Role.STUDENT) for u in student_users]
        seen_guardians: set[int] = set()
        for g, _sid, _rel in self.guardian_links:
            if g.pk not in seen_guardians:
                seen_guardians.add(g.pk)
                m.append(Membership(school=school, user=g, role=Role.GUARDIAN))
        _insert(Membership, m)
        _insert(
            GuardianLink,
            [
                GuardianLink(school=school, guardian=g, student_id=sid, relationship=rel)
                for g, sid, rel in self.guardian_links
            ],
        )
        self.summary.students = len(students)
        self.summary.users = len(self.users)
