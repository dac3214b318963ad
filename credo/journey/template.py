"""The built-in Journeys to Mastery Learning template: the school as a learner.

A school's leadership team rates itself against this template (not started / in progress / earned).
The structure follows the Mastery Transcript Consortium's framework: five domains, each with a guiding
question and a deliverable, and 24 school competencies marked foundational or advanced. The ten Mastery
Design Essentials are mapped onto the domains they are built in. Competency titles are the framework's
names; every description here is written in Credo's own words.

Pure data, no Django: the journey app copies it into the database, the renderer draws the school's
profile from it, and tests import it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

JourneyLevel = Literal["foundational", "advanced"]
JourneyStatus = Literal["not_started", "in_progress", "earned"]

#: Ratings a leadership team gives each school competency, in order of progress.
JOURNEY_STATUSES: tuple[JourneyStatus, ...] = ("not_started", "in_progress", "earned")


@dataclass(frozen=True, slots=True)
class JourneyDomainSpec:
    """One of the five domains of the journey, drawn as a sector of the school's profile.

    `code` is a two-letter key (``PV``); `order` is its position around the circle, starting at 1;
    `colour` is a ``#rrggbb`` hex used together with a pattern, never alone.
    """

    code: str
    name: str
    order: int
    guiding_question: str
    deliverable_title: str
    deliverable: str
    colour: str


@dataclass(frozen=True, slots=True)
class JourneyCompetencySpec:
    """A school-level competency: something the school as a whole can be rated on.

    `code` is the domain code plus a number (``PV1``); `title` is the framework's own name;
    `level` is foundational (inner ring) or advanced (outer ring), as the framework marks it.
    """

    code: str
    domain: str
    number: int
    title: str
    level: JourneyLevel
    description: str


@dataclass(frozen=True, slots=True)
class DesignEssentialSpec:
    """A Mastery Design Essential and the domain codes where a school builds it (first = primary)."""

    code: str
    title: str
    description: str
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JourneyTemplateSpec:
    """A versioned journey template: domains, school competencies and design essentials."""

    key: str
    version: str
    title: str
    description: str
    domains: tuple[JourneyDomainSpec, ...]
    competencies: tuple[JourneyCompetencySpec, ...]
    essentials: tuple[DesignEssentialSpec, ...]

    def domain(self, code: str) -> JourneyDomainSpec:
        """Return the domain with this code; raise KeyError when there is none."""
        for domain in self.domains:
            if domain.code == code:
                return domain
        raise KeyError(code)

    def competency(self, code: str) -> JourneyCompetencySpec:
        """Return the school competency with this code; raise KeyError when there is none."""
        for competency in self.competencies:
            if competency.code == code:
                return competency
        raise KeyError(code)

    def competencies_in(self, domain_code: str) -> tuple[JourneyCompetencySpec, ...]:
        """Return the competencies of one domain in their numbered order."""
        return tuple(c for c in self.competencies if c.domain == domain_code)

    def essentials_in(self, domain_code: str) -> tuple[DesignEssentialSpec, ...]:
        """Return the design essentials a school builds (at least partly) in this domain."""
        return tuple(e for e in self.essentials if domain_code in e.domains)


_DOMAINS: tuple[JourneyDomainSpec, ...] = (
    JourneyDomainSpec(
        code="PV",
        name="Purpose & Vision",
        order=1,
        guiding_question="Why does our school need to change, and what future are we changing toward?",
        deliverable_title="Call to Action",
        deliverable=(
            "A written case for change, built with the community, that the school's vision "
            "statement grows out of."
        ),
        colour="#1f6f8b",
    ),
    JourneyDomainSpec(
        code="GP",
        name="Graduate Profile",
        order=2,
        guiding_question="What should every one of our learners be able to show by the time they leave us?",
        deliverable_title="Graduate Profile",
        deliverable=(
            "A profile of the knowledge, skills and dispositions each graduate will demonstrate, "
            "chosen for what college, work and adult life will ask of them."
        ),
        colour="#6a4c93",
    ),
    JourneyDomainSpec(
        code="LM",
        name="Learning Model",
        order=3,
        guiding_question="What has to be different about teaching and learning for that profile to be reached?",
        deliverable_title="Framework for Mastery Learning",
        deliverable=(
            "A shared, research-grounded account of how learning happens in this school and what "
            "teaching practice every educator commits to."
        ),
        colour="#2a7f4f",
    ),
    JourneyDomainSpec(
        code="AL",
        name="Alignment",
        order=4,
        guiding_question=(
            "Do our culture, our teaching and our structures all pull in the direction of the learning model?"
        ),
        deliverable_title="Building Blocks",
        deliverable=(
            "The working parts that make mastery reachable for every student: mastery credits first, "
            "with the supports, reporting and schedules around them."
        ),
        colour="#b8691a",
    ),
    JourneyDomainSpec(
        code="SU",
        name="Sustainability",
        order=5,
        guiding_question="How will we grow the people and systems that keep this change alive year after year?",
        deliverable_title="Implementation Plan",
        deliverable=(
            "A phased plan for building, and then keeping, the adult capacity and the systems that "
            "mastery learning depends on."
        ),
        colour="#a23b4f",
    ),
)


def _c(code: str, title: str, level: JourneyLevel, description: str) -> JourneyCompetencySpec:
    return JourneyCompetencySpec(
        code=code,
        domain=code[:2],
        number=int(code[2:]),
        title=title,
        level=level,
        description=description,
    )


_COMPETENCIES: tuple[JourneyCompetencySpec, ...] = (
    # Purpose & Vision
    _c(
        "PV1",
        "Stakeholder Buy-In",
        "foundational",
        "We have taken an honest look at where the school stands today, listened to students, families, "
        "staff and partners, and turned what we heard into a shared argument for changing.",
    ),
    _c(
        "PV2",
        "Learning is Constant, Time is Variable",
        "foundational",
        "Students move ahead when their work shows mastery, not when the calendar or the hours spent in "
        "a classroom say they should.",
    ),
    _c(
        "PV3",
        "Equity-driven Decisions",
        "foundational",
        "Fairness for every student is designed into our culture, our structures and our teaching, and "
        "we test our decisions against it rather than adding it afterwards.",
    ),
    _c(
        "PV4",
        "Learner Leaders",
        "advanced",
        "Students lead the conversation and help design how the school redefines success so that it is "
        "inclusive and just for every learner.",
    ),
    _c(
        "PV5",
        "Community Impact",
        "advanced",
        "Partnerships beyond the school let students work alongside others on real local problems and "
        "help build lasting answers to them.",
    ),
    # Graduate Profile
    _c(
        "GP1",
        "Vision of Success",
        "foundational",
        "Staff share one demanding set of expectations for knowledge, skills and dispositions, written so "
        "that anyone can read them, measure against them and carry them across subjects.",
    ),
    _c(
        "GP2",
        "Vision-System Integration",
        "foundational",
        "Together with community partners, we plan every course, event and opportunity around helping "
        "students reach the vision of success.",
    ),
    _c(
        "GP3",
        "Captures Diverse Perspectives",
        "advanced",
        "Students and families from many backgrounds, above all those the system has served poorly, were "
        "co-authors of our vision of success rather than its audience.",
    ),
    # Learning Model
    _c(
        "LM1",
        "Mastery Credit-Informed Instructional Design",
        "foundational",
        "Teachers plan learning experiences backward from the mastery credits, so each experience is "
        "worth doing and moves students toward real skill.",
    ),
    _c(
        "LM2",
        "Student Agency and Voice",
        "foundational",
        "Every day, students make real choices about what they work on, how they build and use "
        "knowledge, and how they will show what they have learned.",
    ),
    _c(
        "LM3",
        "Meaningful, Student-Driven Assessment",
        "foundational",
        "Assessment is something students find worthwhile and can help design, and it hands back "
        "evidence quickly enough, and clearly enough, to act on.",
    ),
    _c(
        "LM4",
        "Shared Vision for Learning/Teaching",
        "foundational",
        "Educators use one vocabulary and one picture of good teaching across the school, and hold "
        "themselves to educator competencies they wrote together and keep revising for their students.",
    ),
    _c(
        "LM5",
        "Real-World Experience",
        "advanced",
        "Every student takes on project, problem or inquiry work that reaches into the wider community "
        "and changes something there.",
    ),
    _c(
        "LM6",
        "Anywhere, Anytime Learning",
        "advanced",
        "Teachers accept and value evidence that students produce or gather away from the building and "
        "outside the timetable.",
    ),
    # Alignment
    _c(
        "AL1",
        "Timely Support",
        "foundational",
        "Students get help shaped to what each of them needs at the moment they need it, not after they "
        "have fallen behind.",
    ),
    _c(
        "AL2",
        "Success Pathways",
        "foundational",
        "Students reach the same expectations by different routes and at different speeds, and stay "
        "actively engaged along the way.",
    ),
    _c(
        "AL3",
        "Feedback for Growth",
        "foundational",
        "In place of grades that are recorded forever, students receive specific feedback they can use "
        "to get better.",
    ),
    _c(
        "AL4",
        "Mastery Transcript",
        "foundational",
        "The Mastery Transcript is how we record and report the whole of each student's learning.",
    ),
    _c(
        "AL5",
        "Peer-Peer Feedback",
        "advanced",
        "Students routinely give and take feedback from one another while they create work and choose "
        "which of it to put forward as evidence.",
    ),
    _c(
        "AL6",
        "Exhibition and Defense",
        "advanced",
        "Students present and defend their learning at exhibitions, panels or student-led conferences "
        "that bring in experts and audiences from beyond the staff.",
    ),
    # Sustainability
    _c(
        "SU1",
        "Professional Excellence",
        "foundational",
        "We keep students at the centre, keep the organisation flexible, and commit real time and money "
        "to the ongoing learning of adults.",
    ),
    _c(
        "SU2",
        "Reflective and Strategic Iteration",
        "foundational",
        "We keep adjusting the model using our vision, a broad view of assessment data, what students "
        "and the community tell us, and how our graduates fare afterwards.",
    ),
    _c(
        "SU3",
        "Mentoring",
        "advanced",
        "We find and train mentors who help new colleagues, and anyone who needs it, take on the mindset "
        "and practice the model asks for.",
    ),
    _c(
        "SU4",
        "Policy Development",
        "advanced",
        "Written policies are reviewed on a regular cycle so they describe the culture and practice we "
        "have actually built around the graduate profile.",
    ),
)


_ESSENTIALS: tuple[DesignEssentialSpec, ...] = (
    # The MTC journey paper lists this essential under Purpose & Vision: the community's "why" is the
    # first thing the school builds, and PV1 (stakeholder buy-in) is how it is rated.
    DesignEssentialSpec(
        code="DE1",
        title="Community-Driven Vision",
        description=(
            "A reason for change and a picture of the future that families, students, staff and "
            "partners helped write and continue to own."
        ),
        domains=("PV",),
    ),
    # Listed under Graduate Profile in the journey paper; GP1 rates it directly.
    DesignEssentialSpec(
        code="DE2",
        title="Graduate Profile",
        description=(
            "A statement of what every graduate will know, be able to do and be like, which the rest "
            "of the design serves."
        ),
        domains=("GP",),
    ),
    # Also listed under Graduate Profile: the framework is the profile broken into progressions and
    # targets, the "explicit, transparent, measurable" expectations GP1 asks for.
    DesignEssentialSpec(
        code="DE3",
        title="Common Learning Framework",
        description=(
            "The profile translated into shared competencies and learning targets, with levels of "
            "performance that every teacher, student and family reads the same way."
        ),
        domains=("GP",),
    ),
    # Listed under Learning Model; LM4 (shared vision for learning and teaching) is its rating.
    DesignEssentialSpec(
        code="DE4",
        title="Common Pedagogy Framework",
        description=(
            "A shared understanding, grounded in the learning sciences, of how learning happens in "
            "the school and which teaching practices everyone relies on."
        ),
        domains=("LM",),
    ),
    # Built in Learning Model (LM3, student-driven assessment), and shows up again in Alignment,
    # where feedback replaces grades (AL3) and students defend their learning in public (AL6).
    DesignEssentialSpec(
        code="DE5",
        title="Systems of Balanced Assessment",
        description=(
            "A deliberate mix of formative checks, performance tasks and summative demonstrations "
            "that gives students timely feedback and repeated chances to show mastery."
        ),
        domains=("LM", "AL"),
    ),
    # The journey paper places credits in Alignment, as the building block that makes progress
    # transparent; LM1 also asks teachers to design instruction backward from the credits.
    DesignEssentialSpec(
        code="DE6",
        title="Mastery Credits",
        description=(
            "Certified demonstrations of what a student knows and can do, at a foundational or "
            "advanced level, that add up to graduation and to the transcript."
        ),
        domains=("AL", "LM"),
    ),
    # Alignment in the journey paper; AL1 (timely support) and AL2 (success pathways) rate it.
    DesignEssentialSpec(
        code="DE7",
        title="Timely and Differentiated Supports",
        description=(
            "Structures that find the student who needs help and give the right help early, with "
            "room to vary instruction, time and resources."
        ),
        domains=("AL",),
    ),
    # Alignment in the journey paper; AL4 (the Mastery Transcript) is its most visible result.
    DesignEssentialSpec(
        code="DE8",
        title="Transparent Learning Management and Reporting",
        description=(
            "Systems that let students, families and teachers see at any time where learning stands "
            "and what comes next, ending in a transcript that reports mastery."
        ),
        domains=("AL",),
    ),
    # Alignment in the journey paper (inclusive culture, fair allocation of resources); it is also a
    # founding commitment in Purpose & Vision, where PV3 rates equity-driven decisions.
    DesignEssentialSpec(
        code="DE9",
        title="Equity Framework and Strategy",
        description=(
            "An explicit plan for finding and removing the barriers, biases and resource gaps that "
            "keep some students from reaching mastery."
        ),
        domains=("AL", "PV"),
    ),
    # Alignment in the journey paper (principals distribute decisions to staff and students); it is
    # also what lets change outlast any one leader, which Sustainability rates through mentoring
    # (SU3) and professional excellence (SU1).
    DesignEssentialSpec(
        code="DE10",
        title="Distributed Leadership Structures",
        description=(
            "Decision-making shared among teachers, students and families, so the school can respond "
            "quickly and the change does not depend on a single leader."
        ),
        domains=("AL", "SU"),
    ),
)


JOURNEY_TEMPLATE = JourneyTemplateSpec(
    key="mtc-journeys-to-mastery",
    version="2024.1",
    title="Journeys to Mastery Learning",
    description=(
        "A self-assessment for schools moving to mastery learning: five domains, each with a guiding "
        "question and a deliverable, and 24 school competencies a leadership team rates over time. "
        "The domains are not steps in a line; most schools work in several at once."
    ),
    domains=_DOMAINS,
    competencies=_COMPETENCIES,
    essentials=_ESSENTIALS,
)


def template_as_dict(template: JourneyTemplateSpec = JOURNEY_TEMPLATE) -> dict[str, Any]:
    """Return the template as plain JSON-ready data (lists and strings), competencies under domains."""
    return {
        "key": template.key,
        "version": template.version,
        "title": template.title,
        "description": template.description,
        "statuses": list(JOURNEY_STATUSES),
        "domains": [
            {
                "code": d.code,
                "name": d.name,
                "order": d.order,
                "guiding_question": d.guiding_question,
                "deliverable_title": d.deliverable_title,
                "deliverable": d.deliverable,
                "colour": d.colour,
                "competencies": [
                    {
                        "code": c.code,
                        "number": c.number,
                        "title": c.title,
                        "level": c.level,
                        "description": c.description,
                    }
                    for c in template.competencies_in(d.code)
                ],
            }
            for d in template.domains
        ],
        "essentials": [
            {
                "code": e.code,
                "title": e.title,
                "description": e.description,
                "domains": list(e.domains),
            }
            for e in template.essentials
        ],
    }
