"""The demo network: three invented schools modelled on the case studies, as plain data.

Pure module, no Django: `credo.demo.loader` turns these specs into rows, the content tests read
them directly, and the journey app will read each school's `journey` later.

- **Wayfinder Commons High School** — a public charter built around interdisciplinary seminars and
  impact experiences: 26 foundational credits (one per competency, three learning targets each)
  across six domains, and advanced credits earned through a portfolio review.
- **Hartwell Hill School** — an independent boarding school: five essential skills shown in each of
  six areas of self-discovery make 30 foundational credits, each earned with an approved artifact
  and a pitch to a committee; habits of mind are reported on their own.
- **Juniper Valley Union High School** — a regional public high school: graduation standards with
  indicators, course learning targets on a 1–4 scale in half steps, credits from targets and
  indicators by count or points, habits of learning kept apart.

Every name and sentence here is invented for the demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

# --- the demo's calendar ----------------------------------------------------------------------

#: The day the demo data stops: every date in it is on or before this one.
DEMO_TODAY = dt.date(2026, 3, 13)
#: The school years the demo covers, by the calendar year they start in (2023 = 2023–24): the three
#: years every current student shares, and before them the ninth-grade year of the class of 2026.
SCHOOL_YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025)
#: Graduation years of the four cohorts, seniors first.
COHORTS: tuple[int, ...] = (2026, 2027, 2028, 2029)


# --- specs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """One level of a proficiency scale."""

    value: Decimal
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class ScaleSpec:
    """A proficiency scale. `step` is the smallest difference between two ratings teachers give."""

    key: str
    name: str
    levels: tuple[LevelSpec, ...]
    mastery_threshold: Decimal
    exceeds_threshold: Decimal | None = None
    step: Decimal = Decimal("1")

    @property
    def min_value(self) -> Decimal:
        return min(level.value for level in self.levels)

    @property
    def max_value(self) -> Decimal:
        return max(level.value for level in self.levels)


@dataclass(frozen=True, slots=True)
class OutcomeSpec:
    """A graduate-profile outcome."""

    code: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class CompetencySpec:
    """A node of a competency tree: domain, competency, standard, learning target or indicator.

    `assessable` says whether teachers rate it directly; by default only leaves are rated.
    `method`/`param` override the framework's calculation method for this node.
    `outcome` (a graduate-profile outcome code) is inherited by the node's descendants.
    """

    code: str
    statement: str
    kind: str
    children: tuple[CompetencySpec, ...] = ()
    outcome: str | None = None
    assessable: bool | None = None
    method: str = ""
    param: int | None = None

    @property
    def is_assessable(self) -> bool:
        return self.assessable if self.assessable is not None else not self.children


@dataclass(frozen=True, slots=True)
class FrameworkSpec:
    """An academic or habits framework with its scale (by key) and calculation method."""

    key: str
    name: str
    kind: str
    description: str
    scale: str
    method: str
    param: int | None
    counts_formative: bool
    competencies: tuple[CompetencySpec, ...]
    outcomes: tuple[OutcomeSpec, ...] = ()
    version: str = ""


@dataclass(frozen=True, slots=True)
class CreditAreaSpec:
    """A sector of the credit profile. `colour` keeps at least 4.5:1 contrast against white."""

    code: str
    name: str
    colour: str
    order: int
    description: str


@dataclass(frozen=True, slots=True)
class RequirementSpec:
    """One competency a credit lists, by code."""

    competency: str
    points: Decimal = Decimal("1")
    required: bool = False


@dataclass(frozen=True, slots=True)
class CreditSpec:
    """A mastery credit: its standard (as printed on the transcript) and its requirement."""

    code: str
    title: str
    area: str
    level: str
    standard: str
    rule: str
    items: tuple[RequirementSpec, ...]
    rule_n: int | None = None
    min_evidence: int = 0
    review_required: bool = False
    review_format: str = "portfolio"
    order: int = 0


@dataclass(frozen=True, slots=True)
class GraduationRuleSpec:
    """A graduation rule; `cohorts` empty means it applies to every cohort."""

    kind: str
    description: str
    level: str = ""
    area: str | None = None
    n: int | None = None
    credits: tuple[str, ...] = ()
    cohorts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ExperienceSpec:
    """A learning experience and the competency codes it is aligned to (parents stand for their
    assessable descendants). `max_terms` is how many terms a student may take it (0: any number);
    `core` experiences are taken by every student whose grade allows it."""

    code: str
    title: str
    kind: str
    description: str
    aligned: tuple[str, ...]
    grades: tuple[int, ...] = (9, 10, 11, 12)
    max_terms: int = 1
    core: bool = False


@dataclass(frozen=True, slots=True)
class TermSpec:
    """A term of the school year, by month and day; months from July on belong to the first
    calendar year of the school year."""

    name: str
    start: tuple[int, int]
    end: tuple[int, int]

    def dates(self, school_year: int) -> tuple[dt.date, dt.date]:
        """Return the first and last day of this term in the school year starting in `school_year`."""

        def day(month_day: tuple[int, int]) -> dt.date:
            month, d = month_day
            return dt.date(school_year if month >= 7 else school_year + 1, month, d)

        return day(self.start), day(self.end)


@dataclass(frozen=True, slots=True)
class StaffSpec:
    """A member of staff (or the network lead): their name and what they do."""

    name: str
    title: str


@dataclass(frozen=True, slots=True)
class GuestSpec:
    """An outside expert invited to review panels by link."""

    name: str
    email: str
    expertise: str


@dataclass(frozen=True, slots=True)
class NamePoolSpec:
    """Names the demo draws students and guardians from."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    guardian_given: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class JourneySpec:
    """Where the school stands on the journey template (codes PV1…SU4); the rest are not started."""

    earned: tuple[str, ...]
    in_progress: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SchoolSpec:
    """Everything the demo loads for one school."""

    slug: str
    name: str
    short_name: str
    city: str
    enrollment_size: int
    mission: str
    context: str
    credit_policy: str
    scales: tuple[ScaleSpec, ...]
    frameworks: tuple[FrameworkSpec, ...]
    areas: tuple[CreditAreaSpec, ...]
    credits: tuple[CreditSpec, ...]
    graduation_rules: tuple[GraduationRuleSpec, ...]
    experiences: tuple[ExperienceSpec, ...]
    terms: tuple[TermSpec, ...]
    term_load: int
    admin: StaffSpec
    registrar: StaffSpec
    teachers: tuple[StaffSpec, ...]
    advisors: tuple[StaffSpec, ...]
    reviewers: tuple[StaffSpec, ...]
    guests: tuple[GuestSpec, ...]
    names: NamePoolSpec
    journey: JourneySpec
    review_location: str = ""
    website: str = ""
    school_code: str = ""  # the code admissions offices file the school under (fictional here)
    counselor: tuple[str, str, str] = ("", "", "")  # name, e-mail, telephone

    def scale(self, key: str) -> ScaleSpec:
        """Return the scale with this key; raise KeyError when there is none."""
        for scale in self.scales:
            if scale.key == key:
                return scale
        raise KeyError(key)

    def framework(self, kind: str) -> FrameworkSpec:
        """Return the school's framework of this kind (academic or habits)."""
        for framework in self.frameworks:
            if framework.kind == kind:
                return framework
        raise KeyError(kind)


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """The demo network: its schools and its lead."""

    name: str
    slug: str
    description: str
    lead: StaffSpec
    schools: tuple[SchoolSpec, ...] = field(default=())


# --- walking a tree ---------------------------------------------------------------------------


def walk(
    nodes: tuple[CompetencySpec, ...], parent: str | None = None, outcome: str | None = None
) -> Iterator[tuple[CompetencySpec, str | None, str | None]]:
    """Yield (node, parent code, effective outcome code) depth-first, parents before children."""
    for node in nodes:
        own = node.outcome or outcome
        yield node, parent, own
        yield from walk(node.children, node.code, own)


def all_competencies(school: SchoolSpec) -> Iterator[tuple[FrameworkSpec, CompetencySpec]]:
    """Yield every competency node of every framework of the school."""
    for framework in school.frameworks:
        for node, _, _ in walk(framework.competencies):
            yield framework, node


def assessable_under(school: SchoolSpec, code: str) -> tuple[str, ...]:
    """Return the assessable codes a code stands for: itself if assessable, and its descendants."""
    for _, node in all_competencies(school):
        if node.code == code:
            return tuple(n.code for n, _, _ in walk((node,)) if n.is_assessable)
    raise KeyError(code)


def _d(value: str) -> Decimal:
    return Decimal(value)


def _levels(*rows: tuple[str, str, str]) -> tuple[LevelSpec, ...]:
    return tuple(LevelSpec(_d(v), label, text) for v, label, text in rows)


def _req(
    *codes: str, points: str = "1", required: tuple[str, ...] = ()
) -> tuple[RequirementSpec, ...]:
    return tuple(RequirementSpec(c, _d(points), c in required) for c in codes)


# --- shared pools of text ------------------------------------------------------------------------

#: Teacher feedback on summative work below the mastery threshold.
FEEDBACK_NOT_YET: tuple[str, ...] = (
    "The start is here. Reread the success criteria and choose one of them to strengthen first.",
    "Your idea comes through, but the support is thin: add two specific examples and say how each one helps.",
    "Come to flex time this week; a ten-minute conference should unlock the next step.",
    "Check the setup before redoing the work. The reasoning went off track early, not at the end.",
    "There is real effort in this draft. Put the revision into organization: one idea per section.",
    "You have shown the first half of the target. The second half is not in this piece yet.",
    "Look back at the model we studied and compare it with your own. What is it doing that yours is not yet?",
    "Accurate in places, but the explanation skips steps. Walk a reader through your thinking.",
)
#: Feedback on work at the mastery threshold.
FEEDBACK_MEETS: tuple[str, ...] = (
    "Solid work that meets the target. Next time push the explanation one step further.",
    "Clear and accurate. You could make it stronger by tying it to a situation outside class.",
    "This meets the target, and your reasoning is easy to follow.",
    "Well organized and well supported. Keep this structure for the next task.",
    "You met the target. Ask yourself what would change if the question were turned around.",
    "Good, careful work. Your use of evidence is the strongest part.",
)
#: Feedback on work well beyond the threshold.
FEEDBACK_EXCEEDS: tuple[str, ...] = (
    "Excellent: you took this beyond the target and used it somewhere new.",
    "A model piece. Would you be willing to share it with next year's class?",
    "Sophisticated thinking. You answered the questions I was about to ask.",
    "This goes well past the target; the connections you drew were entirely your own.",
)
#: Feedback on a revision.
FEEDBACK_REVISION: tuple[str, ...] = (
    "Much stronger than your first attempt; you acted on every piece of feedback.",
    "The revision shows real growth, especially in how you use evidence.",
    "Thanks for coming back to this. The new version meets the target.",
    "You rebuilt the weakest part instead of patching it, and it shows.",
)
#: Short notes on formative checks.
FEEDBACK_FORMATIVE: tuple[str, ...] = (
    "Quick check: on track. Keep going.",
    "Exit ticket: you have the main idea; practise the vocabulary before the summative.",
    "Draft conference: the plan is good, but narrow the question.",
    "Practice round: two small errors, both in the same step. Look for the pattern.",
    "Check-in: you are ready to try the full task.",
    "Warm-up: mostly right. Ask a partner to explain the part you missed.",
)
#: Why an assessment was corrected.
CORRECTION_NOTES: tuple[str, ...] = (
    "Corrected: the first score was entered against the wrong task.",
    "Corrected after moderation against the department's common scale.",
    "Corrected: I misread the rubric row for this target.",
    "Corrected after a second look at the full portfolio.",
)
#: Why an assessment was retracted.
RETRACTION_REASONS: tuple[str, ...] = (
    "Entered for the wrong student.",
    "Duplicate entry from the gradebook import.",
    "Task withdrawn: the prompt did not really address this target.",
)
#: A panel's feedback when it awards a credit.
REVIEW_AWARD: tuple[str, ...] = (
    "Awarded. Your artifacts show the skill clearly, and your answers to our questions were thoughtful and honest.",
    "Awarded. The panel was struck by how well you explained what you would do differently next time.",
    "Awarded. Strong evidence, well organized; the reflection tied the pieces together.",
    "Awarded. You made a convincing case and handled the hardest question with real poise.",
    "Awarded. The work speaks for itself, and you spoke for it well.",
)
#: A panel's feedback when it returns a credit ("not yet").
REVIEW_NOT_YET: tuple[str, ...] = (
    "Not yet. The artifact shows the skill in part, but the pitch did not explain what you learned. Bring a second piece of evidence.",
    "Not yet. We need to see the skill in a situation you did not plan in advance. Talk to your advisor about what could show that.",
    "Not yet. The work is promising, but the reflection describes what you did rather than what it shows. Revise the reflection and ask again.",
    "Not yet. Two of the pieces show the same thing; replace one with work that shows the other part of the standard.",
)
#: What students write when they ask for a review ({credit} is the credit's title).
REVIEW_STATEMENTS: tuple[str, ...] = (
    "I am asking for {credit} because these pieces show how far I have come since my first attempts.",
    "My evidence for {credit} comes from two very different settings, which I think shows I can transfer the skill.",
    "For {credit} I chose the work I am proudest of, and one piece that did not go well at first but that I turned around.",
    "I believe I am ready for {credit}. My reflection explains what each artifact shows and what I would still like to improve.",
)
#: Reflections students attach to text evidence.
REFLECTIONS: tuple[str, ...] = (
    "This was the first time I planned the whole thing myself. The hardest part was deciding what to leave out.",
    "I rewrote the middle section three times. Looking back, the feedback about my evidence changed how I read sources.",
    "I was nervous presenting this, but answering questions helped me understand my own argument better.",
    "Working with a partner slowed me down at first and then made the final product much stronger.",
    "I did not expect this to connect to my internship, but it did: I used the same method at work the next week.",
    "This piece shows where I started. I kept it because the revision only makes sense next to it.",
    "I chose this topic because it matters to my family. That made it easier to keep going when it got hard.",
)
#: Notes teachers write when they observe a student at work.
OBSERVATIONS: tuple[str, ...] = (
    "Observed during studio time: explained the approach to two classmates without notes.",
    "Observed in the field: set up the equipment, recorded data carefully and caught an error on their own.",
    "Observed during the discussion: built on three other students' points and changed their own view with reasons.",
    "Observed at the partner site: took initiative when the plan changed and kept the team on schedule.",
    "Observed at rehearsal: gave specific, kind feedback and asked for the same in return.",
)
#: Notes on a reassessment: the student tried a competency again after more practice.
REASSESSMENT_NOTES: tuple[str, ...] = (
    "Reassessed after two practice sessions; worked a fresh problem of the same kind without help.",
    "Came back with a new piece that addresses the part missing the first time.",
    "Reassessed in conference: explained the idea in their own words and applied it to a new case.",
    "Second attempt after targeted practice; the earlier misconception is gone.",
    "Asked to be reassessed and brought evidence from another class that shows the same skill.",
)
#: What classmates write on work shared with them.
PEER_FEEDBACK: tuple[str, ...] = (
    "I liked how you opened with a question; it made me want to keep reading.",
    "Your evidence is strong. Could you say a bit more about why the second source matters?",
    "The diagram made the whole thing click for me.",
    "I got lost in the middle. Maybe a heading or a transition would help?",
    "This gave me an idea for my own project. Thanks for sharing it.",
    "The ending felt rushed compared with the rest. What was your main takeaway?",
    "Really clear explanation. I would add one example from your own experience.",
)
#: Learning from outside school: (title, who can vouch for it).
OUTSIDE_LEARNING: tuple[tuple[str, str], ...] = (
    ("Weekend shifts at a neighbourhood bakery", "Lucia Fernhill, owner, Crumb & Kettle Bakery"),
    (
        "Coaching an under-10 soccer team",
        "Daniel Whitmore, league coordinator, Eastside Youth Soccer",
    ),
    (
        "Volunteering at the public library's homework club",
        "Patience Adeyemi, youth services librarian",
    ),
    (
        "Summer research assistant at a water-quality lab",
        "Dr. Selma Rudd, lab manager, Clearwater Institute",
    ),
    ("Building and selling handmade furniture", "Arturo Velez, shop mentor, Maker Commons"),
    (
        "Translating for families at a community clinic",
        "Grace Oyelowo, volunteer coordinator, Northside Clinic",
    ),
    (
        "Organizing a park clean-up with the neighbourhood association",
        "Hal Brennan, association chair",
    ),
    ("Playing in a regional youth orchestra", "Miriam Stavros, conductor, Valley Youth Symphony"),
    (
        "Running a small online shop for original artwork",
        "Owen Pryce, small-business mentor, SCORE volunteer",
    ),
    (
        "Caring for younger siblings and managing the household budget",
        "A parent or guardian, confirmed by advisor",
    ),
    ("Club lacrosse season", "Jess Kilgore, head coach, Ridgeline Lacrosse Club"),
    ("Summer job on a vegetable farm", "Ben Tolliver, farm manager, Greenfold Farm"),
)
#: Task names by experience kind.
TASKS: dict[str, tuple[str, ...]] = {
    "course": (
        "Unit performance task",
        "Lab report",
        "Analytical essay",
        "Problem set",
        "Presentation",
        "Research brief",
        "Common assessment",
        "Modeling task",
    ),
    "seminar": (
        "Seminar paper",
        "Socratic seminar",
        "Project milestone",
        "Exhibition piece",
        "Field notes",
        "Group presentation",
        "Position paper",
    ),
    "project": (
        "Project proposal",
        "Prototype",
        "Progress log",
        "Final product",
        "Project reflection",
        "Design review",
    ),
    "impact": (
        "Site visit reflection",
        "Partner presentation",
        "Community survey",
        "Impact log",
        "Service project",
    ),
    "internship": (
        "Internship journal",
        "Mentor evaluation",
        "Work product",
        "Final internship presentation",
    ),
    "independent_study": (
        "Study plan",
        "Annotated bibliography",
        "Research paper",
        "Final presentation",
    ),
    "outside": ("Outside learning log",),
}
#: Habit ratings are given at these moments.
HABIT_MOMENTS: tuple[str, ...] = (
    "Advisory check-in",
    "Mid-term reflection",
    "End-of-term conference",
    "Class observation",
)
RELATIONSHIPS: tuple[str, ...] = (
    "mother",
    "father",
    "parent",
    "grandmother",
    "aunt",
    "guardian",
    "stepfather",
    "grandfather",
)


# --- what students and educators write for the transcript -------------------------------------
#
# A student's story is put together from the pieces below, chosen by what the student really did:
# an opening in the voice of their school, a sentence on their strongest area (naming a credit they
# earned there), one on an advanced credit if they earned one, one on their learning outside school
# if they have any, one on where they grew the most, and a closing. Slots: {area} is a credit area's
# name, {credit} a credit as a student would say it (`credit_words`), {school} the school's short name.

#: How each school's students begin their story (keyed by school slug; "" for any other school).
STORY_OPENINGS: dict[str, tuple[str, ...]] = {
    "wayfinder": (
        "I chose {school} in eighth grade because I wanted school to count for something outside the building.",
        "Before {school} I was good at finishing worksheets and bad at knowing why I was doing them.",
        "At my old school I mostly waited for the bell; at {school}, the weekly impact visits gave me a reason to show up.",
        "I came to {school} from a small Montessori program, so I was used to choosing my own work, just not to strangers reading it.",
        "My first seminar at {school} asked a question nobody in the room could answer, the teacher included, and I have liked questions like that ever since.",
        "For my first two years at {school} I treated the Empower block as free time. Then a passion project got out of hand in the best way.",
    ),
    "hartwell": (
        "I arrived at {school} as a ninth-grade boarder, homesick and sure I was only good at one thing.",
        "{school} asks you to look at yourself in six different places, from the classroom to the dorm to the farm, and at first that felt like a lot of mirrors.",
        "I started at {school} as a day student from the valley, and for my first term the campus felt like another country.",
        "The first time I pitched an artifact to the mastery committee I talked too fast and forgot half of what I meant to say.",
        "Living on a hill with two hundred other people teaches you things no syllabus lists, and {school} counts some of them.",
        "I came to {school} from abroad, and the dorm taught me English faster than any class did.",
    ),
    "juniper-valley": (
        "{school} is a big school for a small valley, and in ninth grade I mostly tried not to be noticed.",
        "I grew up on a dairy farm two towns over and did not expect high school to care about anything I learned there.",
        "What changed school for me at {school} was seeing the learning targets written down: I knew what good work looked like before the test, not after.",
        "In ninth grade I thought proficiency scales were a strange way to be graded; by tenth grade I was using them to plan my own revisions.",
        "The bus to {school} takes forty minutes each way, and most of my thinking about school happened on that ride.",
        "I used to think being smart meant getting it right the first time. {school} talked me out of that, slowly.",
    ),
    "": (
        "When I started high school I did not know what I was good at, only what I was graded on.",
        "I came to {school} in ninth grade not sure that school was for me.",
    ),
}

#: A sentence on the student's strongest area and a credit they earned in it.
STORY_STRENGTHS: tuple[str, ...] = (
    "The work I am proudest of is in {area}, especially the credit for {credit}, which took me more than one try.",
    "{area} is where I feel most like myself; the credit for {credit} was the first one I asked for without anyone telling me I was ready.",
    "If you read one part of this transcript, read {area}. The evidence behind {credit} is the work I would show anyone.",
    "My strongest work is in {area}. For {credit} I put forward pieces I had rebuilt after feedback, and the rebuilding is the point.",
    "I did not expect {area} to become my strength, but earning the credit for {credit} changed how I saw myself.",
    "Most of my best evidence sits in {area}. The credit for {credit} started as something I avoided and ended as something I explain to my friends.",
)

#: A sentence on an advanced credit ({credit}, in {area}), by how the school reviews it (keyed by slug).
STORY_ADVANCED: dict[str, tuple[str, ...]] = {
    "wayfinder": (
        "Defending my portfolio for {credit} in front of two teachers and a guest from the city was the hardest twenty minutes of my year.",
        "For {credit} I had to show work that went past what graduation asks, and an outside expert had to agree.",
    ),
    "hartwell": (
        "My exhibition for the advanced credit in {area} was the first time I stood up in front of the committee and enjoyed it.",
        "I spent senior year going further in {area}, building a body of work and defending it at an exhibition.",
    ),
    "juniper-valley": (
        "{credit} had no final exam, just public work and a panel, and I have never worked harder on anything.",
        "In {credit} my work went out to people outside school, which made the deadlines feel real.",
    ),
    "": (
        "Earning {credit} meant presenting my work to a panel, and I am still proud of how I handled their questions.",
    ),
}

#: A sentence per kind of learning outside school (keyed by the titles in OUTSIDE_LEARNING).
STORY_OUTSIDE: dict[str, str] = {
    "Weekend shifts at a neighbourhood bakery": "Weekend shifts at a bakery taught me to stay calm when an order goes wrong at six in the morning.",
    "Coaching an under-10 soccer team": "Coaching a team of nine-year-olds taught me that explaining something simply is the real test of understanding it.",
    "Volunteering at the public library's homework club": "At the library's homework club I help younger kids with math, which is how I finally understood fractions myself.",
    "Summer research assistant at a water-quality lab": "A summer in a water-quality lab showed me what careful really means when someone else depends on your numbers.",
    "Building and selling handmade furniture": "I build and sell furniture in a shared workshop, and measuring twice is a habit that has followed me into every class.",
    "Translating for families at a community clinic": "Translating for families at a clinic taught me to listen for what people mean, not only what they say.",
    "Organizing a park clean-up with the neighbourhood association": "Organizing a park clean-up with my neighbours was my first lesson in getting adults to show up on a Saturday.",
    "Playing in a regional youth orchestra": "Playing in a youth orchestra has taught me to practise the hard eight bars instead of the whole piece again.",
    "Running a small online shop for original artwork": "Running a small shop for my artwork taught me pricing, patience and how to answer an unhappy customer.",
    "Caring for younger siblings and managing the household budget": "At home I look after my younger siblings and help with the budget, which is where I learned to plan a week.",
    "Club lacrosse season": "A club lacrosse season taught me that showing up to practice matters more than the games.",
    "Summer job on a vegetable farm": "A summer on a vegetable farm taught me to start early, finish what I start and not complain about the weather.",
}

#: A sentence on where the student grew the most ({area} is their slowest area).
STORY_GROWTH: tuple[str, ...] = (
    "{area} took me longer. I missed the standard on my first tries, and I am glad the transcript shows where I ended up rather than where I started.",
    "I am still working in {area}, with credits in progress and a plan with my advisor to finish them.",
    "My slowest start was in {area}, where I had to learn to ask for a reassessment instead of hoping the problem would go away.",
    "{area} is the part of this transcript I worked hardest for, even where it shows the least.",
)

#: How stories end (keyed by school slug, with "" for every school).
STORY_CLOSINGS: dict[str, tuple[str, ...]] = {
    "wayfinder": (
        "Next I want to study urban planning, because the river restoration crew showed me a city can be redesigned one block at a time.",
        "After graduating I want to keep working with community partners, probably in public health.",
    ),
    "hartwell": (
        "Next year I hope to study environmental science, and to keep a foot in the dirt the way the farm partnership taught me.",
        "Wherever I go next, I want to live somewhere that asks me to lead the way the dorm did.",
    ),
    "juniper-valley": (
        "After graduation I plan to study agricultural science and bring it back to the valley.",
        "I want to study to become a teacher, and maybe come back to a school like this one.",
    ),
    "": (
        "Whatever I study next, I want to keep the habit of asking for feedback before I think I am done.",
        "I hope to study engineering, and I know now that the first prototype is supposed to fail.",
        "I want to study history, and to keep asking the questions nobody in the room can answer yet.",
        "I plan to start at a community college close to home and study business, then see where it leads.",
        "I would like to study biology and do field work whenever anyone will let me.",
        "Next I want to find people who care about the same questions I do and keep asking them together.",
    ),
}

#: What an educator writes under an earned credit. Slots: {name} the student's given name,
#: {credit} the credit's title, {area} its area.
COMMENTS: tuple[str, ...] = (
    "{name} revised the central piece for this credit three times; each draft answered the feedback on the one before.",
    "For {credit}, {name} chose evidence from two very different settings, and the second shows the skill holding up without support.",
    "{name} explained the reasoning behind this work to the panel more clearly than many adults could.",
    "This credit came after a slow start in {area}. {name} asked for a reassessment without prompting and came prepared.",
    "The strongest piece here is the most recent one: it shows what {name} can now do on their own.",
    "Other students went to {name} for help with this work, and the explanations held up when I listened in.",
    "{name} set the standard for {credit} in our class this year; I now use one of these pieces as an example.",
    "What stands out in {name}'s evidence for {credit} is the honesty of the reflections about what did not work.",
    "{name} took on the hardest version of the task on offer and carried it through to the end.",
)
#: Comments in the voice of the student's advisor.
ADVISOR_COMMENTS: tuple[str, ...] = (
    "As {name}'s advisor for four years, I watched this credit take shape over several terms; it reflects steady, patient work.",
    "{name} planned the evidence for this credit in advisory and kept to the plan when other commitments piled up.",
    "I saw {name} grow in {area} from someone who avoided it to someone who looks for it.",
)

#: Who students share their transcript with (an admissions office of an invented college).
SHARE_RECIPIENTS: tuple[str, ...] = (
    "Office of Admission, Lakeshore State University",
    "Admissions, Brightwater College",
    "Undergraduate Admissions, Cedar Ridge University",
)

#: The browser an admissions reader opened a shared transcript with.
READER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)


def credit_words(title: str) -> str:
    """Return a credit's title as a student would say it after "the credit for".

    "Mindfulness · Wellness" → "mindfulness in wellness"; "Health Standard" → "the Health Standard".
    """
    if " · " in title:
        skill, area = title.split(" · ", 1)
        return f"{skill.lower()} in {area.lower()}"
    if title.endswith(" Standard"):
        return f"the {title}"
    return title


# ==============================================================================================
# School A — Wayfinder Commons High School (interdisciplinary seminars, 26 foundational credits)
# ==============================================================================================

_WF_SCALE = ScaleSpec(
    key="wf-0-4",
    name="Wayfinder 0–4 scale",
    levels=_levels(
        ("0", "Not yet shown", "No evidence of the target yet, or the work does not address it."),
        ("1", "Emerging", "Shows parts of the target with a good deal of support."),
        ("2", "Developing", "Shows most of the target; some key pieces are missing or unsteady."),
        ("3", "Meets", "Shows the whole target independently and accurately."),
        (
            "4",
            "Extends",
            "Goes beyond the target: carries it into a new situation or teaches it to others.",
        ),
    ),
    mastery_threshold=_d("3"),
    exceeds_threshold=_d("3.5"),
)
_WF_HABIT_SCALE = ScaleSpec(
    key="wf-empower",
    name="Empower skills scale",
    levels=_levels(
        ("1", "Rarely", "The skill shows up only when someone prompts it."),
        ("2", "Sometimes", "The skill shows up in familiar settings."),
        ("3", "Usually", "The skill is a habit in most settings."),
        (
            "4",
            "Consistently",
            "The skill is reliable, even under pressure, and others learn from it.",
        ),
    ),
    mastery_threshold=_d("3"),
    exceeds_threshold=_d("4"),
)

# (domain code, domain name, outcome, [(competency statement, credit title, (target a, b, c))], (ext a, ext b))
_WF_DOMAINS = (
    (
        "COM",
        "Communication & Voice",
        "GO2",
        (
            (
                "Reads closely to understand and question complex texts.",
                "Close Reading",
                (
                    "Summarizes the central idea of a text and how it develops.",
                    "Explains how an author's choices shape meaning.",
                    "Compares how two texts treat the same theme or question.",
                ),
            ),
            (
                "Writes arguments that take a clear position and defend it with evidence.",
                "Argument Writing",
                (
                    "States a precise, arguable claim.",
                    "Supports the claim with relevant, well-chosen evidence.",
                    "Anticipates a counterargument and answers it.",
                ),
            ),
            (
                "Tells true and imagined stories with purpose and craft.",
                "Narrative Craft",
                (
                    "Builds a narrative with a clear structure and deliberate pacing.",
                    "Uses detail, dialogue and description to create meaning.",
                    "Draws an insight out of personal experience.",
                ),
            ),
            (
                "Speaks and presents so that an audience understands and remembers.",
                "Public Speaking",
                (
                    "Organizes a talk around a clear purpose.",
                    "Uses voice, eye contact and visuals to support the message.",
                    "Answers questions thoughtfully and accurately.",
                ),
            ),
            (
                "Researches a question and uses sources honestly.",
                "Research & Sources",
                (
                    "Forms a focused research question.",
                    "Finds, evaluates and selects credible sources.",
                    "Weaves cited sources into original thinking.",
                ),
            ),
        ),
        (
            "Publishes or performs work for an audience beyond the school.",
            "Adapts one message skilfully across several forms and media.",
        ),
    ),
    (
        "MTH",
        "Mathematical Thinking",
        "GO3",
        (
            (
                "Reasons with numbers, ratios and proportions in real situations.",
                "Proportional Reasoning",
                (
                    "Uses ratios, rates and percentages to compare quantities.",
                    "Estimates an answer and checks whether a result is reasonable.",
                    "Solves multi-step problems involving proportional relationships.",
                ),
            ),
            (
                "Models situations with expressions, equations and inequalities.",
                "Algebraic Modeling",
                (
                    "Writes expressions and equations that represent a situation.",
                    "Solves linear equations and systems and justifies each step.",
                    "Interprets the solution of a model in its context.",
                ),
            ),
            (
                "Uses functions to describe how quantities change together.",
                "Functions & Change",
                (
                    "Represents a function with tables, graphs and rules.",
                    "Tells linear, quadratic and exponential change apart.",
                    "Uses a function to make and defend a prediction.",
                ),
            ),
            (
                "Reasons about shape, space and measurement.",
                "Geometry & Measurement",
                (
                    "Calculates length, area and volume in design problems.",
                    "Uses similarity and right-triangle relationships to find unknowns.",
                    "Builds a logical argument about a geometric figure.",
                ),
            ),
            (
                "Makes sense of data, variability and chance.",
                "Data & Chance",
                (
                    "Designs a way to collect data that answers a question.",
                    "Summarizes and displays data so that patterns stand out.",
                    "Uses probability to weigh risk and make a decision.",
                ),
            ),
        ),
        (
            "Builds and refines a mathematical model of a complex system.",
            "Proves a general result and communicates the proof clearly.",
        ),
    ),
    (
        "SCI",
        "Scientific Investigation",
        "GO1",
        (
            (
                "Asks testable questions and designs fair investigations.",
                "Investigation Design",
                (
                    "Turns an observation into a testable question and hypothesis.",
                    "Plans an investigation that controls variables.",
                    "Carries out a procedure safely and records observations accurately.",
                ),
            ),
            (
                "Analyzes and interprets data to draw conclusions.",
                "Data Analysis",
                (
                    "Organizes data in tables and graphs that suit the question.",
                    "Identifies patterns, trends and sources of error.",
                    "Draws only the conclusions the data can support.",
                ),
            ),
            (
                "Explains natural systems with scientific models.",
                "Scientific Models",
                (
                    "Builds a model of a living or physical system.",
                    "Uses the model to explain a phenomenon.",
                    "Revises a model when new evidence appears.",
                ),
            ),
            (
                "Weighs scientific claims that matter to society.",
                "Science & Society",
                (
                    "Separates scientific evidence from opinion.",
                    "Evaluates the strengths and limits of a study.",
                    "Proposes a science-based response to a local problem.",
                ),
            ),
        ),
        (
            "Designs and carries out an original, extended investigation.",
            "Presents findings to practising scientists or another technical audience.",
        ),
    ),
    (
        "SOC",
        "Society & Citizenship",
        "GO4",
        (
            (
                "Investigates the past to understand the present.",
                "Historical Inquiry",
                (
                    "Places events in their time and place.",
                    "Analyzes primary sources for perspective and purpose.",
                    "Explains causes and consequences across time.",
                ),
            ),
            (
                "Takes an informed part in civic life.",
                "Civic Participation",
                (
                    "Explains how decisions are made in local government.",
                    "Researches a public issue from several viewpoints.",
                    "Takes a reasoned civic action and reflects on its effect.",
                ),
            ),
            (
                "Reasons about economic choices and systems.",
                "Economic Reasoning",
                (
                    "Explains scarcity, trade-offs and opportunity cost.",
                    "Builds and follows a realistic personal budget.",
                    "Analyzes how markets and policies affect a community.",
                ),
            ),
            (
                "Connects places, people and global systems.",
                "Global Connections",
                (
                    "Reads and makes maps that explain human patterns.",
                    "Explains how a global issue plays out locally.",
                    "Compares how different cultures respond to a shared challenge.",
                ),
            ),
        ),
        (
            "Leads a sustained effort that addresses a community need.",
            "Writes a policy proposal and presents it to decision-makers.",
        ),
    ),
    (
        "DES",
        "Creativity & Design",
        "GO3",
        (
            (
                "Uses a design process to solve real problems.",
                "Design Process",
                (
                    "Defines a problem through interviews and observation.",
                    "Generates and sketches several possible solutions.",
                    "Tests a solution with users and records what they learned.",
                ),
            ),
            (
                "Expresses ideas through an art form.",
                "Artistic Expression",
                (
                    "Uses the techniques of a chosen medium with control.",
                    "Makes deliberate choices to convey a mood or an idea.",
                    "Explains the intent and influences behind the work.",
                ),
            ),
            (
                "Makes and prototypes with tools and materials.",
                "Making & Prototyping",
                (
                    "Chooses tools and materials that suit the task.",
                    "Builds a working prototype safely.",
                    "Documents the build so that someone else could repeat it.",
                ),
            ),
            (
                "Gives, receives and uses critique to improve work.",
                "Critique & Revision",
                (
                    "Gives feedback that is specific, kind and useful.",
                    "Uses feedback to make a substantial revision.",
                    "Explains how the work changed from draft to draft.",
                ),
            ),
        ),
        (
            "Produces an original body of work with a coherent vision.",
            "Exhibits or launches work for a public audience.",
        ),
    ),
    (
        "WEL",
        "Purpose & Wellbeing",
        "GO5",
        (
            (
                "Knows themself as a learner and sets meaningful goals.",
                "Self-Knowledge & Goals",
                (
                    "Describes their strengths, interests and stretch areas.",
                    "Sets goals and plans the steps to reach them.",
                    "Reflects on progress and adjusts the plan.",
                ),
            ),
            (
                "Looks after their physical and emotional health.",
                "Health & Wellbeing",
                (
                    "Explains how sleep, food and movement affect learning.",
                    "Uses strategies to manage stress and strong emotions.",
                    "Finds and uses support when it is needed.",
                ),
            ),
            (
                "Explores careers, college and life after high school.",
                "Pathways Exploration",
                (
                    "Researches several pathways that fit their interests.",
                    "Interviews or shadows a professional and reflects on it.",
                    "Builds a realistic plan for the year after graduation.",
                ),
            ),
            (
                "Makes a positive difference in a community.",
                "Community Impact",
                (
                    "Identifies a need together with the people it affects.",
                    "Contributes reliably to a community partner's work.",
                    "Measures and reflects on the effect of their contribution.",
                ),
            ),
        ),
        (
            "Designs and runs a project that serves others over time.",
            "Mentors younger students or peers in a skill they have mastered.",
        ),
    ),
)
_WF_AREA_COLOURS = {
    "COM": "#1f5f8b",
    "MTH": "#8a4b08",
    "SCI": "#2e6b30",
    "SOC": "#6b3fa0",
    "DES": "#a3304f",
    "WEL": "#00695c",
}


def _wf_tree() -> tuple[CompetencySpec, ...]:
    domains = []
    for code, name, outcome, competencies, extension in _WF_DOMAINS:
        children = []
        for i, (statement, _title, targets) in enumerate(competencies, start=1):
            children.append(
                CompetencySpec(
                    code=f"{code}.{i}",
                    statement=statement,
                    kind="competency",
                    children=tuple(
                        CompetencySpec(f"{code}.{i}.{letter}", text, "target")
                        for letter, text in zip("abc", targets, strict=True)
                    ),
                )
            )
        children.append(
            CompetencySpec(
                code=f"{code}.X",
                statement=f"Goes further in {name.lower()} (extension targets for advanced credit).",
                kind="competency",
                children=tuple(
                    CompetencySpec(f"{code}.X.{letter}", text, "target")
                    for letter, text in zip("ab", extension, strict=True)
                ),
            )
        )
        domains.append(
            CompetencySpec(
                code=code,
                statement=f"{name}.",
                kind="domain",
                outcome=outcome,
                children=tuple(children),
            )
        )
    return tuple(domains)


def _wf_credits() -> tuple[CreditSpec, ...]:
    credits = []
    for code, name, _outcome, competencies, _ext in _WF_DOMAINS:
        for i, (statement, title, _targets) in enumerate(competencies, start=1):
            credits.append(
                CreditSpec(
                    code=f"WF-{code}{i}",
                    title=title,
                    area=code,
                    level="foundational",
                    order=i,
                    standard=(
                        f"{statement} Earned when each of the competency's three learning targets is "
                        "shown at the Meets level in summative work."
                    ),
                    rule="all",
                    items=_req(f"{code}.{i}.a", f"{code}.{i}.b", f"{code}.{i}.c"),
                )
            )
        targets = [
            f"{code}.{i}.{letter}" for i in range(1, len(competencies) + 1) for letter in "abc"
        ]
        credits.append(
            CreditSpec(
                code=f"WF-{code}-ADV",
                title=f"Advanced {name}",
                area=code,
                level="advanced",
                order=10,
                standard=(
                    f"Goes beyond the graduation level in {name.lower()}: a portfolio of at least two approved "
                    "pieces that shows the domain's extension targets, presented at a portfolio review "
                    "before staff and an outside expert."
                ),
                rule="points",
                rule_n=10 if len(competencies) == 5 else 9,
                items=(
                    RequirementSpec(f"{code}.X.a", _d("3"), True),
                    RequirementSpec(f"{code}.X.b", _d("3")),
                    *_req(*targets),
                ),
                min_evidence=2,
                review_required=True,
                review_format="portfolio",
            )
        )
    credits.append(
        CreditSpec(
            code="WF-CAPSTONE",
            title="Impact Capstone",
            area="WEL",
            level="advanced",
            order=11,
            standard=(
                "A year-long project that serves a community partner and draws on at least three domains, "
                "presented with its portfolio at a public review."
            ),
            rule="points",
            rule_n=7,
            items=(
                RequirementSpec("WEL.X.a", _d("3"), True),
                RequirementSpec("SOC.X.a", _d("2")),
                RequirementSpec("DES.X.b", _d("2")),
                RequirementSpec("SCI.X.b", _d("2")),
                RequirementSpec("COM.X.a", _d("2")),
            ),
            min_evidence=3,
            review_required=True,
            review_format="exhibition",
        )
    )
    return tuple(credits)


WAYFINDER = SchoolSpec(
    slug="wayfinder",
    school_code="990101",
    counselor=("Rosa Delgado", "counseling@wayfinder.example.org", "555-0141"),
    name="Wayfinder Commons High School",
    short_name="Wayfinder Commons",
    city="Port Alder",
    enrollment_size=220,
    website="https://wayfinder.example.org",
    mission="To help every learner discover what they are capable of, and put it to work now rather than someday.",
    context=(
        "A public charter high school of about 220 students in grades 9–12 in a mid-sized lakeside city, "
        "open since 2021. Enrollment is diverse by design: students arrive from suburban districts, small "
        "Montessori and Waldorf programmes and the city's lower-income neighbourhoods. Learning runs through "
        "interdisciplinary seminars, weekly impact experiences with community partners, cohort classes for "
        "reading, math and advising, and a daily Empower block for passion projects. Credo holds the school's "
        "records from the 2022–23 school year on."
    ),
    credit_policy=(
        "A foundational mastery credit certifies one competency: the student has shown each of its learning "
        "targets at the Meets level (3 on our 0–4 scale). A target is read from summative work only, with a "
        "decaying average that gives the most recent evidence the most weight, so early attempts never hold a "
        "student back. Foundational credits are awarded as soon as the evidence is there, and graduation "
        "requires all 26 of them across six domains. Advanced credits go further: the student assembles a "
        "portfolio of at least two approved pieces that show the domain's extension targets and presents it at "
        "a portfolio review before two staff members and an outside expert, who award the credit or return it "
        "with feedback. From the class of 2028 on, every graduate earns at least one advanced credit."
    ),
    scales=(_WF_SCALE, _WF_HABIT_SCALE),
    frameworks=(
        FrameworkSpec(
            key="wf-academic",
            name="Wayfinder Competencies",
            kind="academic",
            description="Six domains, 26 competencies and their learning targets, plus extension targets.",
            scale="wf-0-4",
            method="decaying_average",
            param=65,
            counts_formative=False,
            version="2023.1",
            outcomes=(
                OutcomeSpec(
                    "GO1",
                    "Curious investigator",
                    "Asks real questions and follows them with evidence.",
                ),
                OutcomeSpec(
                    "GO2",
                    "Clear communicator",
                    "Reads, writes and speaks so that others understand and act.",
                ),
                OutcomeSpec(
                    "GO3",
                    "Creative problem solver",
                    "Uses mathematics and design to make things that work.",
                ),
                OutcomeSpec(
                    "GO4",
                    "Engaged citizen",
                    "Understands how communities work and takes part in them.",
                ),
                OutcomeSpec(
                    "GO5",
                    "Purposeful self-starter",
                    "Knows themself, looks after themself and leads with purpose.",
                ),
            ),
            competencies=_wf_tree(),
        ),
        FrameworkSpec(
            key="wf-habits",
            name="Empower Skills",
            kind="habits",
            description="The seven habits practised in the daily Empower block; reported, never part of a credit.",
            scale="wf-empower",
            method="mode",
            param=None,
            counts_formative=True,
            version="2023.1",
            competencies=(
                CompetencySpec(
                    "EMP.1",
                    "Using evidence: backs up what they say and do with evidence.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.2",
                    "Staying present: notices their attention and brings it back.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.3",
                    "Solving problems: breaks a problem down and tries more than one way in.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.4",
                    "Owning my learning: sets the pace and asks for help early.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.5",
                    "Working together: shares the load and makes room for every voice.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.6",
                    "Seeing other perspectives: seeks out views unlike their own.",
                    "competency",
                ),
                CompetencySpec(
                    "EMP.7", "Refining my work: returns to work to make it better.", "competency"
                ),
            ),
        ),
    ),
    areas=tuple(
        CreditAreaSpec(code, name, _WF_AREA_COLOURS[code], i, f"Credits in {name.lower()}.")
        for i, (code, name, *_rest) in enumerate(_WF_DOMAINS, start=1)
    ),
    credits=_wf_credits(),
    graduation_rules=(
        GraduationRuleSpec("all_credits", "All 26 foundational credits", level="foundational"),
        GraduationRuleSpec(
            "min_credits",
            "At least one advanced credit (a requirement for the class of {cohort})",
            level="advanced",
            n=1,
            cohorts=(2028, 2029),
        ),
    ),
    experiences=(
        ExperienceSpec(
            "COH-READ",
            "Cohort Reading & Writing Lab",
            "course",
            "Daily small-group reading and writing practice in a student's first year here.",
            ("COM.1", "COM.2", "COM.5"),
            grades=(9, 10),
            max_terms=2,
            core=True,
        ),
        ExperienceSpec(
            "COH-MATH",
            "Cohort Math Lab",
            "course",
            "Daily math practice in a student's first year here, matched to where each student is.",
            ("MTH.1", "MTH.2", "MTH.3"),
            grades=(9, 10),
            max_terms=2,
            core=True,
        ),
        ExperienceSpec(
            "COH-PATH",
            "Cohort Pathways Studio",
            "course",
            "Upper-school cohort for college and career planning.",
            ("WEL.1", "WEL.3", "COM.4"),
            grades=(11, 12),
            max_terms=4,
            core=True,
        ),
        ExperienceSpec(
            "EMPOWER",
            "Empower Passion Project",
            "project",
            "A self-directed project in the daily Empower hour, renewed each term.",
            ("DES.4", "WEL.1", "DES.X", "COM.X"),
            max_terms=0,
            core=True,
        ),
        ExperienceSpec(
            "SEM-WATER",
            "Water in the City",
            "seminar",
            "Where our drinking water comes from, and who decides.",
            ("SCI.1", "SCI.2", "SOC.4"),
        ),
        ExperienceSpec(
            "SEM-STORY",
            "Stories That Shape Us",
            "seminar",
            "Myths, memoirs and the histories families tell.",
            ("COM.1", "COM.3", "SOC.1"),
        ),
        ExperienceSpec(
            "SEM-TINY",
            "Tiny Houses, Big Ideas",
            "seminar",
            "Design and build a scale model of a tiny home.",
            ("MTH.4", "DES.1", "DES.3"),
        ),
        ExperienceSpec(
            "SEM-MONEY",
            "Money, Markets and Me",
            "seminar",
            "Budgets, businesses and the economics of a neighbourhood.",
            ("MTH.1", "SOC.3", "MTH.5"),
        ),
        ExperienceSpec(
            "SEM-BODY",
            "The Body Electric",
            "seminar",
            "How nerves, muscles and habits keep us going.",
            ("SCI.3", "WEL.2"),
        ),
        ExperienceSpec(
            "SEM-VOICE",
            "Voices for Change",
            "seminar",
            "Movements, speeches and how ordinary people change rules.",
            ("SOC.2", "COM.2", "COM.4"),
        ),
        ExperienceSpec(
            "SEM-PATTERN",
            "Patterns and Predictions",
            "seminar",
            "Forecasting weather, games and elections.",
            ("MTH.3", "MTH.5", "SCI.2"),
        ),
        ExperienceSpec(
            "SEM-PERSUADE",
            "The Art of Persuasion",
            "seminar",
            "Posters, pitches and the craft of changing minds.",
            ("COM.4", "DES.2", "DES.4"),
        ),
        ExperienceSpec(
            "SEM-FOOD",
            "Food, Land and Justice",
            "seminar",
            "Who grows our food, who can get it, and what science says about it.",
            ("SCI.4", "SOC.3", "WEL.4"),
        ),
        ExperienceSpec(
            "SEM-MAPS",
            "Maps, Migration and Memory",
            "seminar",
            "Family migration stories told with maps and sources.",
            ("SOC.1", "SOC.4", "COM.5", "COM.3"),
        ),
        ExperienceSpec(
            "SEM-BALANCE",
            "Mind, Body, Balance",
            "seminar",
            "Sleep, stress and exercise, studied with our own health data.",
            ("WEL.2", "SCI.3", "MTH.5"),
        ),
        ExperienceSpec(
            "SEM-GAME",
            "Game Design Studio",
            "seminar",
            "Board and video games as systems of rules.",
            ("MTH.2", "DES.1", "DES.4"),
        ),
        ExperienceSpec(
            "SEM-CLIMATE",
            "Climate on Trial",
            "seminar",
            "A mock trial on a local climate decision.",
            ("SCI.4", "SCI.3", "COM.2"),
        ),
        ExperienceSpec(
            "SEM-DEEP",
            "Deep Dive Seminar",
            "seminar",
            "Upper-school seminar that works at the level of the extension targets.",
            ("COM.X", "MTH.X", "SCI.X", "SOC.X"),
            grades=(11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "IMP-RIVER",
            "Impact: River Restoration Crew",
            "impact",
            "Weekly field days with the river conservancy.",
            ("SCI.1", "WEL.4", "SCI.X"),
            max_terms=2,
        ),
        ExperienceSpec(
            "IMP-MAIN",
            "Impact: Main Street Business Partners",
            "impact",
            "Students work alongside owners of small local businesses.",
            ("SOC.3", "WEL.3", "COM.4"),
            max_terms=2,
        ),
        ExperienceSpec(
            "IMP-MURAL",
            "Impact: Community Mural Project",
            "impact",
            "Design and paint a mural with a neighbourhood association.",
            ("DES.2", "DES.3", "SOC.2"),
            max_terms=2,
        ),
        ExperienceSpec(
            "INTERN",
            "Senior Impact Internship",
            "internship",
            "A semester-long internship with a community partner.",
            ("WEL.3", "WEL.4", "WEL.X", "SOC.X"),
            grades=(12,),
            max_terms=2,
        ),
        ExperienceSpec(
            "INDEP",
            "Independent Study",
            "independent_study",
            "A student-designed study supervised by a teacher.",
            ("MTH.X", "SCI.X", "DES.X"),
            grades=(11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "BEYOND",
            "Learning Beyond Wayfinder",
            "outside",
            "Jobs, family responsibilities, teams and hobbies that show our competencies.",
            ("WEL.2", "WEL.4", "DES.2", "COM.3", "EMP.4", "EMP.5"),
            max_terms=0,
        ),
    ),
    terms=(TermSpec("Fall", (8, 25), (1, 16)), TermSpec("Spring", (1, 20), (6, 12))),
    term_load=5,
    admin=StaffSpec("Renata Okafor-Lind", "Director"),
    registrar=StaffSpec("Marcus Feld", "Registrar and data lead"),
    teachers=(
        StaffSpec("Priya Raman", "Humanities seminar teacher"),
        StaffSpec("Dominic Achebe", "Math lab teacher"),
        StaffSpec("Lena Hoffmann", "Science seminar teacher"),
        StaffSpec("Tomas Villanueva", "Design studio teacher"),
        StaffSpec("Grace Whitaker", "Reading lab teacher"),
        StaffSpec("Samuel Oyelaran", "Social studies seminar teacher"),
        StaffSpec("Hye-jin Park", "Math seminar teacher"),
        StaffSpec("Carlos Mendoza-Reyes", "Impact experience coordinator"),
        StaffSpec("Bethany Kruger", "Art teacher"),
        StaffSpec("Ahmed Saleh", "Science teacher"),
        StaffSpec("Naomi Castellanos", "Writing teacher"),
        StaffSpec("Julian Price", "Wellness teacher"),
        StaffSpec("Ingrid Solberg", "Making and fabrication teacher"),
        StaffSpec("Terrence Boyd", "Economics teacher"),
        StaffSpec("Maribel Acosta", "Humanities teacher"),
        StaffSpec("Owen Gallagher", "Math teacher"),
        StaffSpec("Fatima Noor", "Science teacher"),
        StaffSpec("Rhys Calloway", "Media and communication teacher"),
        StaffSpec("Wendy Tran", "Pathways and careers teacher"),
        StaffSpec("Ezra Blum", "Empower project coach"),
    ),
    advisors=(
        StaffSpec("Jordan Ellis", "Cohort advisor"),
        StaffSpec("Adaeze Nwosu", "Cohort advisor"),
        StaffSpec("Kevin Lindqvist", "Cohort advisor"),
        StaffSpec("Rosa Delgado", "Cohort advisor"),
        StaffSpec("Martin Achterberg", "Cohort advisor"),
        StaffSpec("Yolanda Pierce", "Cohort advisor"),
        StaffSpec("Sean Whitfield", "Cohort advisor"),
        StaffSpec("Leah Moskowitz", "Cohort advisor"),
    ),
    reviewers=(
        StaffSpec("Harriet Lowe", "Programme lead, Port Alder River Conservancy"),
        StaffSpec("Desmond Clarke", "Owner, Clarke & Daughters Hardware"),
        StaffSpec("Pilar Santos", "Outreach coordinator, Lakeshore State University"),
    ),
    guests=(
        GuestSpec("Ava Linden", "ava.linden@example.org", "Urban planner, city planning office"),
        GuestSpec("Kwame Boateng", "kwame.boateng@example.org", "Software engineer"),
        GuestSpec("Lucia Ferraro", "lucia.ferraro@example.org", "Museum educator"),
        GuestSpec("Daniel Ostrowski", "daniel.ostrowski@example.org", "Nurse practitioner"),
        GuestSpec("Mira Chandrasekar", "mira.chandrasekar@example.org", "Environmental scientist"),
        GuestSpec(
            "Felix Amundsen", "felix.amundsen@example.org", "Electrician and apprenticeship mentor"
        ),
    ),
    names=NamePoolSpec(
        given=(
            "Aaliyah",
            "Amara",
            "Andrés",
            "Bao",
            "Camila",
            "Darius",
            "Deja",
            "Elijah",
            "Esperanza",
            "Farah",
            "Gabriel",
            "Hana",
            "Imani",
            "Isaiah",
            "Jamal",
            "Jasmine",
            "Jaylen",
            "Kai",
            "Keisha",
            "Leilani",
            "Luis",
            "Malik",
            "Maya",
            "Mei",
            "Mohamed",
            "Nadia",
            "Nia",
            "Omar",
            "Paloma",
            "Quentin",
            "Rashid",
            "Rosa",
            "Samira",
            "Santiago",
            "Talia",
            "Tenzin",
            "Xavier",
            "Yara",
            "Zainab",
            "Zion",
            "Lucas",
            "Sofia",
            "Ethan",
            "Grace",
            "Noah",
            "Ava",
            "Mateo",
            "Ayanna",
        ),
        family=(
            "Abdi",
            "Alvarez",
            "Banerjee",
            "Brooks",
            "Castillo",
            "Chen",
            "Coleman",
            "Diallo",
            "Dominguez",
            "Ellison",
            "Fofana",
            "Gutierrez",
            "Haddad",
            "Jackson",
            "Kowalczyk",
            "Lee",
            "Martinez",
            "Mensah",
            "Nguyen",
            "Novak",
            "Okonkwo",
            "Ortiz",
            "Patel",
            "Pham",
            "Ramirez",
            "Reyes",
            "Robinson",
            "Schmidt",
            "Soto",
            "Thao",
            "Torres",
            "Vang",
            "Washington",
            "Williams",
            "Xiong",
            "Yusuf",
            "Zielinski",
            "Hernandez",
            "Osei",
            "Kaminski",
        ),
        guardian_given=(
            "Adriana",
            "Andre",
            "Beatriz",
            "Calvin",
            "Chiamaka",
            "Denise",
            "Eduardo",
            "Fatou",
            "Gloria",
            "Hassan",
            "Ileana",
            "Jerome",
            "Kimberly",
            "Lamar",
            "Lourdes",
            "Marcus",
            "Ngozi",
            "Patrice",
            "Raul",
            "Sandra",
            "Tamika",
            "Tuan",
            "Veronica",
            "Winston",
            "Yesenia",
        ),
    ),
    journey=JourneySpec(
        earned=("PV1", "PV2", "PV3", "GP1", "GP2", "LM1", "LM2", "LM3", "LM5", "AL1", "AL2", "AL3"),
        in_progress=("PV4", "PV5", "GP3", "LM4", "LM6", "AL4", "AL6", "SU1", "SU2"),
    ),
    review_location="Commons studio",
)


# ==============================================================================================
# School B — Hartwell Hill School (five essential skills × six areas of self-discovery)
# ==============================================================================================

# (code, name, outcome, statement, (indicator a, indicator b, indicator c — the advanced one))
_HH_SKILLS = (
    (
        "COMM",
        "Communication",
        "SS",
        "Exchanges ideas clearly, listens closely and adapts to the audience.",
        (
            "Shapes a message for its audience and purpose",
            "Listens and builds on what others say",
            "Communicates with an audience well beyond the school",
        ),
    ),
    (
        "CRIT",
        "Critical thinking and decision making",
        "ES",
        "Weighs evidence and options to reach sound, reasoned decisions.",
        (
            "Gathers and weighs evidence before deciding",
            "Explains a decision and the trade-offs behind it",
            "Makes and defends a complex decision under real uncertainty",
        ),
    ),
    (
        "CREA",
        "Creative engagement",
        "SS",
        "Brings curiosity, imagination and commitment to new ideas and experiences.",
        (
            "Takes on an unfamiliar challenge with curiosity",
            "Develops an original idea over time",
            "Draws others into a creative undertaking and sustains it",
        ),
    ),
    (
        "INNO",
        "Innovation and design thinking",
        "RW",
        "Finds real needs and designs, tests and improves solutions to them.",
        (
            "Defines a real need by listening to the people who have it",
            "Prototypes, tests and improves a solution",
            "Puts a tested solution in front of real users and measures its effect",
        ),
    ),
    (
        "MIND",
        "Mindfulness",
        "ES",
        "Notices their own thoughts, feelings and effect on others, and responds with intention.",
        (
            "Recognizes their own emotions, stress and habits",
            "Chooses a deliberate response and reflects on the outcome",
            "Supports the wellbeing of others through steady self-awareness",
        ),
    ),
)
# (code, name, where the skill is shown, colour, description)
_HH_AREAS = (
    (
        "ACAD",
        "Academics",
        "in academic coursework",
        "#1f4e79",
        "Courses in the humanities, sciences, mathematics, languages and the arts.",
    ),
    (
        "COMY",
        "Community",
        "in the life of the school and the wider community",
        "#7b3294",
        "Dorm life, student leadership and service.",
    ),
    (
        "EXPL",
        "Exploration",
        "while trying something new",
        "#2e6b30",
        "Activities a student takes up for the first time to find out what they enjoy.",
    ),
    (
        "INTS",
        "Intensives",
        "in a pursuit they take on in depth",
        "#9a3412",
        "A sport, art or craft a student commits to at a high level.",
    ),
    (
        "PART",
        "Partnerships",
        "while working with an outside partner",
        "#0f6e6e",
        "Internships and projects with farms, clinics, businesses and nonprofits.",
    ),
    (
        "WELL",
        "Wellness",
        "in caring for body and mind",
        "#8a2846",
        "Health, fitness, rest and the habits that sustain them.",
    ),
)


def _hh_tree() -> tuple[CompetencySpec, ...]:
    skills = []
    for code, name, outcome, statement, indicators in _HH_SKILLS:
        children = []
        for area, _area_name, where, _colour, _description in _HH_AREAS:
            children.append(
                CompetencySpec(
                    code=f"{code}.{area}",
                    statement=f"Shows {name.lower()} {where}.",
                    kind="competency",
                    children=tuple(
                        CompetencySpec(f"{code}.{area}.{letter}", f"{text} {where}.", "indicator")
                        for letter, text in zip("abc", indicators, strict=True)
                    ),
                )
            )
        skills.append(
            CompetencySpec(
                code=code,
                statement=statement,
                kind="domain",
                outcome=outcome,
                children=tuple(children),
            )
        )
    return tuple(skills)


def _hh_credits() -> tuple[CreditSpec, ...]:
    credits = []
    for order, (area, area_name, where, _colour, _description) in enumerate(_HH_AREAS, start=1):
        for i, (code, name, _outcome, _statement, indicators) in enumerate(_HH_SKILLS, start=1):
            credits.append(
                CreditSpec(
                    code=f"HH-{code}-{area}",
                    title=f"{name} · {area_name}",
                    area=area,
                    level="foundational",
                    order=i,
                    standard=(
                        f"Shows {name.lower()} {where}: {indicators[0].lower()}, and "
                        f"{indicators[1].lower()}. Earned with an approved artifact and a pitch to the "
                        "mastery committee."
                    ),
                    rule="all",
                    items=_req(f"{code}.{area}.a", f"{code}.{area}.b"),
                    min_evidence=1,
                    review_required=True,
                    review_format="pitch",
                )
            )
        credits.append(
            CreditSpec(
                code=f"HH-ADV-{area}",
                title=f"Going Further in {area_name}",
                area=area,
                level="advanced",
                order=10 + order,
                standard=(
                    f"Goes well beyond the foundational level {where}: shows the advanced indicator of at "
                    "least four of the five essential skills, with two approved artifacts, and defends "
                    "the work at a senior exhibition."
                ),
                rule="count",
                rule_n=4,
                items=_req(*(f"{code}.{area}.c" for code, *_ in _HH_SKILLS)),
                min_evidence=2,
                review_required=True,
                review_format="exhibition",
            )
        )
    return tuple(credits)


HARTWELL = SchoolSpec(
    school_code="990202",
    counselor=("Marcus Bell", "college@hartwell.example.org", "555-0172"),
    slug="hartwell",
    name="Hartwell Hill School",
    short_name="Hartwell Hill",
    city="Alder Notch",
    enrollment_size=260,
    website="https://hartwell.example.org",
    mission=(
        "To send every student into adult life knowing their own strengths, able to connect what they "
        "learn to the world, and ready to turn ideas into opportunity."
    ),
    context=(
        "An independent boarding and day school of about 260 students in grades 9–12, on a hillside campus in "
        "a rural valley; about a third of the boarders come from abroad. The year runs in three terms. "
        "Academic courses stay standards-based, and alongside them students build five essential skills in six "
        "areas of self-discovery, so a season on a team, a term leading a dorm or a farm partnership counts as "
        "much as a lab report when it shows the skill. The same activity can be exploration for one student and "
        "an intensive for another."
    ),
    credit_policy=(
        "Hartwell Hill awards thirty foundational mastery credits: one for each of five essential skills "
        "(communication; critical thinking and decision making; creative engagement; innovation and design "
        "thinking; mindfulness) in each of six areas of self-discovery (academics, community, exploration, "
        "intensives, partnerships, wellness). For each credit the student curates at least one artifact, has "
        "it approved by a faculty mentor and pitches it to the mastery committee, which awards the credit or "
        "returns it with feedback. Indicators are rated on a four-level scale and count once they have been "
        "shown at the Demonstrating level at least twice; the score is the average of those ratings. Most "
        "students complete the foundational credits by the end of junior year and spend senior year on advanced "
        "credits, defended at an exhibition. Habits of mind are reported to students and families but never "
        "enter a credit, and the school computes no GPA."
    ),
    scales=(
        ScaleSpec(
            key="hh-4",
            name="Hartwell four-level scale",
            levels=_levels(
                ("1", "Exploring", "Beginning to try the skill, mostly with guidance."),
                ("2", "Building", "Uses the skill in familiar situations with some support."),
                ("3", "Demonstrating", "Uses the skill on their own and can explain how."),
                (
                    "4",
                    "Distinguished",
                    "Uses the skill in new and complex situations and helps others grow in it.",
                ),
            ),
            mastery_threshold=_d("3"),
            exceeds_threshold=_d("3.75"),
        ),
        ScaleSpec(
            key="hh-habits",
            name="Habits of mind scale",
            levels=_levels(
                ("1", "Not yet", "The habit is not visible yet."),
                ("2", "Sometimes", "The habit shows up when conditions are easy."),
                ("3", "Usually", "The habit is dependable in most settings."),
                ("4", "Consistently", "The habit holds even when things are hard."),
            ),
            mastery_threshold=_d("3"),
        ),
    ),
    frameworks=(
        FrameworkSpec(
            key="hh-skills",
            name="Essential Skills",
            kind="academic",
            description="Five essential skills, each shown in six areas of self-discovery.",
            scale="hh-4",
            method="n_mastery",
            param=2,
            counts_formative=False,
            version="2024",
            outcomes=(
                OutcomeSpec(
                    "RW",
                    "Connects learning to the world",
                    "Makes real-world connections and acts on them.",
                ),
                OutcomeSpec(
                    "ES",
                    "Builds essential skills",
                    "Develops the skills adult life asks for, wherever they are learned.",
                ),
                OutcomeSpec(
                    "SS",
                    "Shows their strengths",
                    "Knows what they are good at and can show it to others.",
                ),
            ),
            competencies=_hh_tree(),
        ),
        FrameworkSpec(
            key="hh-habits",
            name="Habits of Mind",
            kind="habits",
            description="Traits that help in every class; rated each term and reported separately.",
            scale="hh-habits",
            method="latest",
            param=None,
            counts_formative=True,
            version="2024",
            competencies=(
                CompetencySpec(
                    "HOM.1",
                    "Curiosity: asks questions and seeks out ideas beyond the assignment.",
                    "competency",
                ),
                CompetencySpec(
                    "HOM.2",
                    "Open engagement: takes part fully and stays open to new people and views.",
                    "competency",
                ),
                CompetencySpec(
                    "HOM.3",
                    "Managing time and resources: plans ahead and uses what is available.",
                    "competency",
                ),
                CompetencySpec(
                    "HOM.4",
                    "Persistence: keeps going through difficulty and recovers from setbacks.",
                    "competency",
                ),
                CompetencySpec(
                    "HOM.5",
                    "Taking risks and speaking up: tries hard things and asks for what they need.",
                    "competency",
                ),
                CompetencySpec(
                    "HOM.6",
                    "Reliability: arrives on time and prepared, and follows through.",
                    "competency",
                ),
            ),
        ),
    ),
    areas=tuple(
        CreditAreaSpec(code, name, colour, i, description)
        for i, (code, name, _where, colour, description) in enumerate(_HH_AREAS, start=1)
    ),
    credits=_hh_credits(),
    graduation_rules=(
        GraduationRuleSpec("all_credits", "All 30 foundational credits", level="foundational"),
    ),
    experiences=(
        ExperienceSpec(
            "ENG",
            "English: Voices and Choices",
            "course",
            "Reading and writing across genres.",
            ("COMM.ACAD", "CRIT.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "BIO",
            "Biology in the Field",
            "course",
            "Ecology and genetics with weekly field work.",
            ("CRIT.ACAD", "INNO.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "ALG",
            "Algebra and Modeling",
            "course",
            "Functions and models built from real data.",
            ("CRIT.ACAD", "MIND.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "HIS",
            "World History: Turning Points",
            "course",
            "Moments that changed how people live.",
            ("COMM.ACAD", "CRIT.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "ART",
            "Studio Art",
            "course",
            "Drawing, painting and printmaking.",
            ("CREA.ACAD", "MIND.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "ENGR",
            "Engineering Design",
            "course",
            "Design challenges from sketch to prototype.",
            ("INNO.ACAD", "CREA.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "LANG",
            "Spanish in Conversation",
            "course",
            "Speaking and listening with real audiences.",
            ("COMM.ACAD", "CREA.ACAD"),
            max_terms=3,
        ),
        ExperienceSpec(
            "DORM",
            "Dorm and Student Leadership",
            "impact",
            "Proctors, prefects and house councils.",
            ("COMM.COMY", "MIND.COMY"),
            grades=(10, 11, 12),
            max_terms=0,
        ),
        ExperienceSpec(
            "SERVICE",
            "Valley Service Corps",
            "impact",
            "Weekly service with towns in the valley.",
            ("INNO.COMY", "CRIT.COMY", "CREA.COMY", "MIND.COMY"),
            max_terms=0,
        ),
        ExperienceSpec(
            "OUTDOOR",
            "Outdoor Leadership Program",
            "seminar",
            "Trail work, navigation and expeditions.",
            ("CREA.EXPL", "MIND.EXPL", "CRIT.EXPL"),
            max_terms=2,
        ),
        ExperienceSpec(
            "CLUBS",
            "Exploratory Clubs and Sports",
            "seminar",
            "A new activity each term.",
            ("COMM.EXPL", "INNO.EXPL", "CREA.EXPL", "CRIT.EXPL", "MIND.EXPL"),
            max_terms=0,
        ),
        ExperienceSpec(
            "ATHLETICS",
            "Intensive: Competitive Athletics",
            "project",
            "A varsity season treated as a sustained intensive.",
            ("MIND.INTS", "CRIT.INTS", "COMM.INTS", "INNO.INTS"),
            max_terms=0,
        ),
        ExperienceSpec(
            "ENSEMBLE",
            "Intensive: Chamber Ensemble",
            "project",
            "Rehearsal and performance at a pre-professional level.",
            ("CREA.INTS", "INNO.INTS"),
            max_terms=0,
        ),
        ExperienceSpec(
            "FARM",
            "Partnership: Valley Farm Cooperative",
            "internship",
            "Work alongside the cooperative's growers and managers.",
            ("INNO.PART", "CRIT.PART", "COMM.PART"),
            grades=(10, 11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "CLINIC",
            "Partnership: Community Health Clinic",
            "internship",
            "Shadowing and projects with the valley's health clinic.",
            ("MIND.PART", "CREA.PART"),
            grades=(10, 11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "ARTSCO",
            "Partnership: Valley Arts Collective",
            "internship",
            "Apprenticeships with the collective's printmakers, potters and designers.",
            ("CREA.PART", "MIND.PART", "INNO.PART"),
            grades=(10, 11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "WELLSEM",
            "Wellness Seminar",
            "seminar",
            "Sleep, stress, relationships and reflection.",
            ("MIND.WELL", "CRIT.WELL", "COMM.WELL"),
            grades=(9, 10),
            max_terms=3,
            core=True,
        ),
        ExperienceSpec(
            "MOVE",
            "Movement and Recovery",
            "course",
            "Training plans, yoga and recovery.",
            ("CREA.WELL", "INNO.WELL", "MIND.WELL", "CRIT.WELL", "COMM.WELL"),
            max_terms=0,
        ),
        ExperienceSpec(
            "SIS",
            "Senior Independent Study",
            "independent_study",
            "A senior's self-designed study toward advanced credit.",
            ("INNO.PART", "COMM.COMY", "CREA.INTS", "CRIT.ACAD"),
            grades=(12,),
            max_terms=2,
        ),
        ExperienceSpec(
            "BEYOND",
            "Weekends, Summers and Beyond",
            "outside",
            "Learning away from campus that shows an essential skill.",
            ("CREA.EXPL", "MIND.INTS", "COMM.PART", "MIND.WELL", "HOM.4", "HOM.5"),
            max_terms=0,
        ),
    ),
    terms=(
        TermSpec("Fall", (9, 4), (11, 21)),
        TermSpec("Winter", (12, 1), (3, 6)),
        TermSpec("Spring", (3, 9), (6, 5)),
    ),
    term_load=4,
    admin=StaffSpec("Charles Pembrook", "Head of School"),
    registrar=StaffSpec("Delia Marchetti", "Registrar"),
    teachers=(
        StaffSpec("Edmund Hale", "English"),
        StaffSpec("Sofia Lindgren", "Biology"),
        StaffSpec("Ravi Menon", "Mathematics"),
        StaffSpec("Beatrice Crowley", "History"),
        StaffSpec("Marguerite Delaunay", "Studio art"),
        StaffSpec("Thomas Okonjo", "Engineering"),
        StaffSpec("Lucía Paredes", "Spanish"),
        StaffSpec("Graham Ashby", "Dean of residential life"),
        StaffSpec("Helen Tsai", "Service learning"),
        StaffSpec("Patrick Doyle", "Outdoor program"),
        StaffSpec("Annika Strand", "Athletics"),
        StaffSpec("Jonah Whitcombe", "Music"),
        StaffSpec("Kiri Walker", "Partnerships"),
        StaffSpec("Miriam Gold", "Wellness"),
        StaffSpec("Felipe Araújo", "Physical education"),
        StaffSpec("Naoko Fujita", "Chemistry"),
        StaffSpec("Simon Prescott", "Innovation lab"),
        StaffSpec("Claire Beaumont", "English"),
        StaffSpec("Victor Lindahl", "Mathematics"),
        StaffSpec("Amelia Fenwick", "Learning center"),
    ),
    advisors=(
        StaffSpec("Quentin Marsh", "Advisor"),
        StaffSpec("Eleanor Vasquez", "Advisor"),
        StaffSpec("Henrik Aalto", "Advisor"),
        StaffSpec("Josephine Adair", "Advisor"),
        StaffSpec("Malcolm Reyes", "Advisor"),
        StaffSpec("Ingrid Novak", "Advisor"),
        StaffSpec("Robert Tamaki", "Advisor"),
        StaffSpec("Cecily Hart", "Advisor"),
    ),
    reviewers=(
        StaffSpec("Gordon Pike", "Trustee and mastery committee member"),
        StaffSpec("Anjali Rao-Bennett", "Alumna, mastery committee member"),
        StaffSpec("Walter Finch", "Manager, Valley Farm Cooperative"),
    ),
    guests=(
        GuestSpec(
            "Margaret Ellison", "margaret.ellison@example.org", "Alumna and product designer"
        ),
        GuestSpec("Tobias Reinholt", "tobias.reinholt@example.org", "Orchestra conductor"),
        GuestSpec("Aisha Kamara", "aisha.kamara@example.org", "Clinic director"),
        GuestSpec("Bruno Castell", "bruno.castell@example.org", "Wilderness educator"),
        GuestSpec("Hana Sato", "hana.sato@example.org", "Founder of a food start-up"),
        GuestSpec("Declan Moore", "declan.moore@example.org", "Newspaper editor"),
    ),
    names=NamePoolSpec(
        given=(
            "Alistair",
            "Anouk",
            "Beatrix",
            "Callum",
            "Chiara",
            "Daichi",
            "Elodie",
            "Finn",
            "Freya",
            "Hamish",
            "Ines",
            "Jun",
            "Kasimir",
            "Linnea",
            "Lorenzo",
            "Mateus",
            "Mirela",
            "Nikolai",
            "Oskar",
            "Priya",
            "Rafferty",
            "Saoirse",
            "Seo-yeon",
            "Tobias",
            "Ulrike",
            "Wen",
            "Yannick",
            "Zofia",
            "Henry",
            "Eleanor",
            "Charlotte",
            "Owen",
            "Theo",
            "Hazel",
            "Ivy",
            "Rowan",
            "Sebastian",
            "Clara",
            "Jasper",
            "Margot",
            "Felix",
            "Amara",
        ),
        family=(
            "Ashdown",
            "Bellamy",
            "Castellano",
            "Dufresne",
            "Eriksson",
            "Fairchild",
            "Gallagher",
            "Hargrove",
            "Iwasaki",
            "Jankowski",
            "Kessler",
            "Lindqvist",
            "Montague",
            "Nakashima",
            "O'Rourke",
            "Pemberton",
            "Quigley",
            "Rasmussen",
            "Sandoval",
            "Thornbury",
            "Underwood",
            "van der Berg",
            "Whitlock",
            "Yamamoto",
            "Zhang",
            "Abernathy",
            "Brightwater",
            "Coughlin",
            "Delacroix",
            "Ellery",
            "Achterberg",
            "Moreau",
            "Kimura",
            "Lindahl",
            "Okafor",
            "Petrov",
        ),
        guardian_given=(
            "Alexandra",
            "Benedict",
            "Catherine",
            "Dmitri",
            "Eliza",
            "Francesca",
            "Geoffrey",
            "Harriet",
            "Isabelle",
            "Jonathan",
            "Keiko",
            "Laurent",
            "Marianne",
            "Nathaniel",
            "Olivia",
            "Philippe",
            "Rebecca",
            "Stefan",
            "Tatiana",
            "Victoria",
            "William",
            "Yuki",
            "Ming",
            "Helena",
        ),
    ),
    journey=JourneySpec(
        earned=("PV1", "GP1", "LM2", "LM5", "AL3", "AL6"),
        in_progress=("PV2", "PV3", "GP2", "LM1", "LM3", "LM6", "AL1", "AL4", "SU1"),
    ),
    review_location="Mastery committee room, Founders Hall",
)


# ==============================================================================================
# School C — Juniper Valley Union High School (graduation standards, course targets on 1–4)
# ==============================================================================================

# (code, name, statement, ((letter, indicator statement), ...))
_JV_STANDARDS = (
    (
        "PS",
        "Inventive Problem Solving",
        "Solves practical and open-ended problems with creativity and evidence.",
        (
            (
                "a",
                "Generates several possible solutions and supports the choice of one with evidence.",
            ),
            (
                "b",
                "Makes meaning from information by inferring, imagining and taking other viewpoints.",
            ),
            ("c", "Frames questions, predicts, experiments and plans a strategy."),
            ("d", "Builds and applies models, generalizations and abstractions."),
        ),
    ),
    (
        "CM",
        "Purposeful Communication",
        "Communicates with clarity and purpose across forms and audiences.",
        (
            ("a", "Uses the vocabulary of the discipline accurately."),
            ("b", "Organizes communication around a clear purpose."),
            ("c", "Adapts communication to purpose, context and audience."),
            (
                "d",
                "Applies the conventions of the medium, whether written, spoken, performed or digital.",
            ),
            ("e", "Collaborates in ways that lift a group's learning."),
        ),
    ),
    (
        "RE",
        "Evidence-Based Reasoning",
        "Thinks across sources and disciplines to reach well-supported conclusions.",
        (
            ("a", "Supports ideas and solutions with evidence and sound reasoning."),
            ("b", "Finds main ideas, patterns and relationships in sources."),
            ("c", "Analyzes and synthesizes several sources and perspectives."),
            ("d", "Judges the accuracy, bias and usefulness of information."),
        ),
    ),
    (
        "QL",
        "Quantitative Literacy",
        "Uses mathematics to understand and act on the world.",
        (
            ("a", "Represents situations with numbers, variables and functions."),
            ("b", "Carries out calculations and procedures accurately and efficiently."),
            ("c", "Interprets quantitative results, and their limits, in context."),
        ),
    ),
    (
        "SI",
        "Scientific Investigation",
        "Investigates the natural world through evidence and models.",
        (
            ("a", "Designs investigations that test a question fairly."),
            ("b", "Analyzes data to build a scientific explanation."),
            ("c", "Uses scientific knowledge to judge a claim or a design."),
        ),
    ),
    (
        "CG",
        "Civic and Global Understanding",
        "Understands how societies work and takes part in them responsibly.",
        (
            ("a", "Explains how the past shapes present-day institutions and conflicts."),
            ("b", "Analyzes an issue from local, national and global perspectives."),
            ("c", "Takes part in civic life through informed action."),
        ),
    ),
    (
        "CE",
        "Creative Expression",
        "Creates and responds to art with skill and intent.",
        (
            ("a", "Develops technique in an artistic medium through deliberate practice."),
            ("b", "Creates original work that expresses a personal vision."),
            ("c", "Responds to and critiques art in the language of the discipline."),
        ),
    ),
    (
        "WP",
        "Wellness and Personal Growth",
        "Builds lifelong habits of health, fitness and self-management.",
        (
            ("a", "Makes informed decisions about personal health."),
            ("b", "Builds and keeps up a personal fitness plan."),
            ("c", "Manages stress and relationships with healthy strategies."),
        ),
    ),
)

# (course code, title, area, advanced?, description, ((target statement, indicator code, essential?), ...))
_JV_COURSES = (
    (
        "ENG1",
        "English I: Reading the World",
        "ELA",
        False,
        "Literature and nonfiction from many places.",
        (
            ("I can identify a theme and trace how it develops across a text.", "RE.b", True),
            (
                "I can write an analytical paragraph that supports a claim with quotations.",
                "RE.a",
                True,
            ),
            ("I can use the vocabulary of literary analysis accurately.", "CM.a", False),
            ("I can add to a discussion by building on classmates' ideas.", "CM.e", False),
            ("I can revise my writing for clarity and conventions.", "CM.d", False),
        ),
    ),
    (
        "ENG2",
        "English II: Writing with Purpose",
        "ELA",
        False,
        "Argument, narrative and research writing.",
        (
            ("I can write an argument that anticipates a counterclaim.", "RE.a", True),
            ("I can organize an essay so that each part serves its purpose.", "CM.b", True),
            ("I can shift tone and style for different audiences.", "CM.c", False),
            ("I can evaluate a source for credibility and bias.", "RE.d", False),
            ("I can synthesize several texts into one line of argument.", "RE.c", False),
        ),
    ),
    (
        "ALG",
        "Algebra I",
        "MATH",
        False,
        "Linear and exponential models.",
        (
            ("I can write and solve linear equations that model a situation.", "QL.a", True),
            ("I can graph linear functions and explain slope in context.", "QL.c", True),
            ("I can solve systems of equations by graphing and substitution.", "QL.b", False),
            ("I can compare linear and exponential growth.", "PS.d", False),
            ("I can simplify and factor polynomial expressions.", "QL.b", False),
        ),
    ),
    (
        "GEO",
        "Geometry",
        "MATH",
        False,
        "Shape, proof and measurement.",
        (
            (
                "I can use transformations to show that figures are congruent or similar.",
                "PS.d",
                True,
            ),
            (
                "I can use the Pythagorean theorem and trigonometric ratios to find unknowns.",
                "QL.b",
                True,
            ),
            ("I can write a logical proof about angles and triangles.", "RE.a", False),
            ("I can calculate area and volume to solve a design problem.", "PS.a", False),
            ("I can model a real object with geometric shapes.", "QL.a", False),
        ),
    ),
    (
        "BIO",
        "Biology",
        "SCI",
        False,
        "Cells, genetics and ecosystems.",
        (
            ("I can design a controlled experiment to test a hypothesis.", "SI.a", True),
            ("I can explain how cells keep stable internal conditions.", "SI.b", False),
            ("I can use evidence to explain how traits are inherited.", "SI.b", True),
            ("I can model how energy and matter move through an ecosystem.", "PS.d", False),
            ("I can evaluate a claim about a health or environmental issue.", "SI.c", False),
        ),
    ),
    (
        "CHEM",
        "Chemistry",
        "SCI",
        False,
        "Matter, reactions and quantities.",
        (
            ("I can use the periodic table to predict the properties of elements.", "SI.b", False),
            ("I can balance chemical equations and explain conservation of mass.", "QL.b", True),
            ("I can carry out a titration and analyze its error.", "SI.a", True),
            ("I can explain reaction rates with a particle model.", "PS.d", False),
            ("I can use stoichiometry to predict the yield of a reaction.", "QL.c", False),
        ),
    ),
    (
        "USH",
        "U.S. History",
        "SOC",
        False,
        "Turning points from the founding to today.",
        (
            (
                "I can analyze a primary source for its author's perspective and purpose.",
                "RE.d",
                True,
            ),
            ("I can explain the causes and consequences of a turning point.", "CG.a", True),
            ("I can build a historical argument from several sources.", "RE.c", False),
            ("I can connect a historical debate to a present-day issue.", "CG.b", False),
            ("I can present historical research to an audience.", "CM.b", False),
        ),
    ),
    (
        "GLOB",
        "Global Studies",
        "SOC",
        False,
        "Regions, governments and global issues.",
        (
            ("I can use maps and data to compare regions of the world.", "RE.b", False),
            ("I can explain how a global issue affects our valley.", "CG.b", True),
            ("I can compare how two governments respond to a shared problem.", "CG.a", True),
            ("I can plan and carry out a civic action on a local issue.", "CG.c", False),
            ("I can work on a research team and share the work fairly.", "CM.e", False),
        ),
    ),
    (
        "ART",
        "Visual Art",
        "ART",
        False,
        "Drawing, painting and design.",
        (
            ("I can use drawing and painting techniques with control.", "CE.a", True),
            ("I can develop a series of works around a personal theme.", "CE.b", True),
            (
                "I can critique an artwork using the elements and principles of design.",
                "CE.c",
                False,
            ),
            ("I can explain my artistic choices in an artist statement.", "CM.c", False),
            ("I can answer a design challenge with several sketched options.", "PS.a", False),
        ),
    ),
    (
        "MUS",
        "Music Ensemble",
        "ART",
        False,
        "Band and choir, from rehearsal to concert.",
        (
            ("I can perform my part accurately with good tone.", "CE.a", True),
            ("I can interpret the style and expression of a piece in performance.", "CE.b", False),
            ("I can describe and evaluate a performance using musical vocabulary.", "CE.c", False),
            ("I can rehearse productively with an ensemble.", "CM.e", False),
        ),
    ),
    (
        "HLTH",
        "Health",
        "WELL",
        False,
        "Health decisions, stress and relationships.",
        (
            ("I can evaluate health information and where it comes from.", "WP.a", True),
            ("I can describe strategies for managing stress.", "WP.c", False),
            ("I can set and track a personal health goal.", "WP.a", False),
            ("I can practise skills for healthy relationships, including refusal.", "WP.c", False),
        ),
    ),
    (
        "PE",
        "Physical Education",
        "WELL",
        False,
        "Fitness planning and movement in many activities.",
        (
            ("I can design a fitness plan based on my own assessment.", "WP.b", True),
            ("I can perform movement skills in a range of activities.", "WP.b", False),
            ("I can work with teammates and show good sportsmanship.", "CM.e", False),
            ("I can measure my progress and adjust my plan.", "PS.c", False),
        ),
    ),
    (
        "ATW",
        "Advanced Topics: Writers' Workshop",
        "ELA",
        True,
        "Students write, edit and publish a class anthology instead of sitting an exam.",
        (
            (
                "I can draft and revise a piece of fiction or nonfiction for publication.",
                "CM.c",
                False,
            ),
            ("I can give and use editorial feedback in a workshop.", "CM.e", False),
            ("I can study a published author's craft and use it in my own writing.", "RE.c", False),
            ("I can contribute to a class anthology and present it publicly.", "CM.b", True),
        ),
    ),
    (
        "ATM",
        "Advanced Topics: Modeling with Calculus",
        "MATH",
        True,
        "Rates of change and accumulation applied to real systems.",
        (
            ("I can model rates of change with derivatives.", "QL.a", False),
            ("I can use accumulation to solve a physical problem.", "QL.b", False),
            ("I can test a model against real data and explain its limits.", "QL.c", True),
            ("I can present a modeling project to a technical audience.", "PS.d", False),
        ),
    ),
    (
        "ATE",
        "Advanced Topics: Field Ecology",
        "SCI",
        True,
        "A season of field research on the valley's streams and forests.",
        (
            ("I can design a field study with a sound sampling plan.", "SI.a", True),
            ("I can analyze field data with suitable statistics.", "SI.b", False),
            ("I can write up research in the form of a scientific paper.", "CM.d", False),
            ("I can recommend a land-use decision based on my findings.", "SI.c", False),
        ),
    ),
    (
        "ATC",
        "Advanced Topics: Civic Action Lab",
        "SOC",
        True,
        "Students research a town issue and bring a proposal to a public body.",
        (
            ("I can research a policy question from several perspectives.", "CG.b", False),
            ("I can draft a policy proposal backed by evidence.", "RE.a", False),
            ("I can present a proposal to a public body.", "CG.c", True),
            ("I can evaluate the effect of a civic action I took part in.", "CG.c", False),
        ),
    ),
)
_JV_COURSE_GRADES = {
    "ENG1": (9, 10),
    "ALG": (9, 10),
    "BIO": (9, 10, 11),
    "HLTH": (9, 10, 11),
    "GLOB": (9, 10, 11),
    "ENG2": (10, 11, 12),
    "GEO": (10, 11, 12),
    "CHEM": (11, 12),
    "USH": (11, 12),
    "ART": (9, 10, 11, 12),
    "MUS": (9, 10, 11, 12),
    "PE": (9, 10, 11, 12),
}
_JV_CORE = {"ENG1", "ALG", "ENG2", "HLTH"}
# Each course also gives students a graduation-standard task rated on these indicators.
_JV_COURSE_INDICATORS = {
    "ENG1": ("CM.b", "CM.a"),
    "ENG2": ("RE.c", "CM.c"),
    "ALG": ("QL.a", "QL.b"),
    "GEO": ("QL.c",),
    "BIO": ("SI.a",),
    "CHEM": ("SI.b",),
    "USH": ("CG.a",),
    "GLOB": ("CG.b",),
    "ART": ("CE.b",),
    "MUS": ("CE.a", "CM.e"),
    "HLTH": ("WP.c",),
    "PE": ("WP.b",),
    "ATW": ("CM.c",),
    "ATM": ("QL.c",),
    "ATE": ("SI.c",),
    "ATC": ("CG.c",),
}
_JV_AREAS = (
    ("ELA", "English Language Arts", "#1f4e79", "Reading, writing, speaking and listening."),
    ("MATH", "Mathematics", "#8a4b08", "Algebra, geometry and modeling."),
    ("SCI", "Science", "#2e6b30", "Life and physical sciences and field research."),
    ("SOC", "Social Studies", "#6b3fa0", "History, government and global studies."),
    ("ART", "Arts", "#a3304f", "Visual art and music."),
    ("WELL", "Wellness", "#00695c", "Health and physical education."),
)


def _jv_targets() -> dict[str, list[CompetencySpec]]:
    """Return course learning targets grouped under the indicator each one is tied to."""
    by_indicator: dict[str, list[CompetencySpec]] = {}
    for course, _title, _area, _advanced, _description, targets in _JV_COURSES:
        for i, (statement, indicator, _essential) in enumerate(targets, start=1):
            by_indicator.setdefault(indicator, []).append(
                CompetencySpec(f"{course}.{i}", statement, "target")
            )
    return by_indicator


_JV_OUTCOME_OF = {
    "PS": "THINK",
    "RE": "THINK",
    "QL": "THINK",
    "SI": "THINK",
    "CM": "VOICE",
    "CE": "VOICE",
    "CG": "CITIZEN",
    "WP": "CITIZEN",
}


def _jv_tree() -> tuple[CompetencySpec, ...]:
    targets = _jv_targets()
    return tuple(
        CompetencySpec(
            code=code,
            statement=f"{name}: {statement[0].lower()}{statement[1:]}",
            kind="standard",
            outcome=_JV_OUTCOME_OF[code],
            children=tuple(
                CompetencySpec(
                    f"{code}.{letter}",
                    text,
                    "indicator",
                    children=tuple(targets.get(f"{code}.{letter}", ())),
                    assessable=True,
                    method="weighted_average",
                    param=65,
                )
                for letter, text in indicators
            ),
        )
        for code, name, statement, indicators in _JV_STANDARDS
    )


def _jv_credits() -> tuple[CreditSpec, ...]:
    credits = []
    for order, (course, title, area, advanced, _description, targets) in enumerate(
        _JV_COURSES, start=1
    ):
        codes = [f"{course}.{i}" for i in range(1, len(targets) + 1)]
        essential = tuple(f"{course}.{i}" for i, (_s, _ind, e) in enumerate(targets, start=1) if e)
        n = len(codes) - 1
        if not advanced:
            credits.append(
                CreditSpec(
                    code=f"JV-{course}",
                    title=title,
                    area=area,
                    level="foundational",
                    order=order,
                    standard=(
                        f"Proficient (3 or higher) on at least {n} of the {len(codes)} learning targets of "
                        f"{title}, including every essential target."
                    ),
                    rule="count",
                    rule_n=n,
                    items=_req(*codes, required=essential),
                )
            )
        else:
            review = course != "ATM"
            credits.append(
                CreditSpec(
                    code=f"JV-{course}",
                    title=title,
                    area=area,
                    level="advanced",
                    order=order,
                    standard=(
                        f"Proficient on at least {n} of the {len(codes)} targets of {title}, including the "
                        "capstone target"
                        + (", with approved work defended before a panel." if review else ".")
                    ),
                    rule="count",
                    rule_n=n,
                    items=_req(*codes, required=essential),
                    min_evidence=1 if review else 0,
                    review_required=review,
                    review_format={"ATW": "exhibition", "ATE": "defense", "ATC": "exhibition"}.get(
                        course, "portfolio"
                    ),
                )
            )
    standard_credits = (
        (
            "JV-STD-CM",
            "Purposeful Communication Standard",
            "ELA",
            ("CM.a", "CM.b", "CM.c", "CM.d", "CM.e"),
            6,
            ("CM.b",),
        ),
        (
            "JV-STD-QL",
            "Quantitative Literacy Standard",
            "MATH",
            ("QL.a", "QL.b", "QL.c", "PS.d"),
            5,
            (),
        ),
        (
            "JV-STD-SI",
            "Scientific Investigation Standard",
            "SCI",
            ("SI.a", "SI.b", "SI.c", "PS.c"),
            5,
            (),
        ),
        (
            "JV-STD-CG",
            "Civic and Global Understanding Standard",
            "SOC",
            ("CG.a", "CG.b", "CG.c", "RE.c", "RE.d"),
            6,
            (),
        ),
        (
            "JV-STD-CE",
            "Creative Expression Standard",
            "ART",
            ("CE.a", "CE.b", "CE.c", "PS.b"),
            5,
            (),
        ),
        (
            "JV-STD-WP",
            "Wellness and Personal Growth Standard",
            "WELL",
            ("WP.a", "WP.b", "WP.c"),
            4,
            ("WP.c",),
        ),
    )
    for order, (code, title, area, indicators, points, required) in enumerate(
        standard_credits, start=20
    ):
        # The standard's own indicators weigh 2 points, indicators borrowed from another standard 1.
        own = indicators[0].split(".")[0]
        credits.append(
            CreditSpec(
                code=code,
                title=title,
                area=area,
                level="foundational",
                order=order,
                standard=(
                    f"Earns {points} points on the graduation-standard indicators listed for this credit "
                    "(2 for each indicator of the standard itself, 1 for a related indicator), shown in "
                    "graduation-standard tasks across courses and experiences."
                ),
                rule="points",
                rule_n=points,
                items=tuple(
                    RequirementSpec(
                        i, _d("2") if i.startswith(own + ".") else _d("1"), i in required
                    )
                    for i in indicators
                ),
            )
        )
    credits.append(
        CreditSpec(
            code="JV-ADV-ARTS",
            title="Advanced Portfolio in the Arts",
            area="ART",
            level="advanced",
            order=40,
            standard=(
                "A body of original work in one medium that goes beyond the course targets, with two approved "
                "pieces, presented at the spring arts exhibition."
            ),
            rule="points",
            rule_n=5,
            items=(
                RequirementSpec("CE.a", _d("1")),
                RequirementSpec("CE.b", _d("2"), True),
                RequirementSpec("CE.c", _d("1")),
                RequirementSpec("ART.2", _d("2")),
                RequirementSpec("MUS.2", _d("2")),
            ),
            min_evidence=2,
            review_required=True,
            review_format="exhibition",
        )
    )
    return tuple(credits)


def _jv_experiences() -> tuple[ExperienceSpec, ...]:
    courses = tuple(
        ExperienceSpec(
            code=course,
            title=title,
            kind="course",
            description=description,
            aligned=tuple(f"{course}.{i}" for i in range(1, len(targets) + 1))
            + _JV_COURSE_INDICATORS[course],
            grades=(11, 12) if advanced else _JV_COURSE_GRADES[course],
            max_terms=2,
            core=course in _JV_CORE,
        )
        for course, title, _area, advanced, description, targets in _JV_COURSES
    )
    others = (
        ExperienceSpec(
            "SEMINAR",
            "Seminar: Learning to Learn",
            "seminar",
            "How learning targets, scales and revision work here; taken in the first year at the school.",
            ("PS.c", "CM.e", "RE.b", "WP.c", "HL.SD"),
            grades=(9, 10),
            core=True,
        ),
        ExperienceSpec(
            "STUDIO",
            "Problem-Solving Studio",
            "project",
            "Open design problems from local partners.",
            ("PS.a", "PS.b", "PS.c", "PS.d"),
            grades=(10, 11, 12),
            max_terms=2,
        ),
        ExperienceSpec(
            "NEXUS",
            "Community-Engaged Learning",
            "impact",
            "A semester working on a town project.",
            ("CG.c", "CM.c", "PS.a", "PS.b"),
            grades=(10, 11, 12),
        ),
        ExperienceSpec(
            "INTERN",
            "Career Internship",
            "internship",
            "Placements with valley employers.",
            ("CM.c", "PS.d", "WP.a", "RE.a", "SI.c"),
            grades=(11, 12),
        ),
        ExperienceSpec(
            "INDEP",
            "Independent Study",
            "independent_study",
            "A student-designed course of study.",
            ("RE.c", "CM.b", "CE.b", "CE.c"),
            grades=(11, 12),
        ),
        ExperienceSpec(
            "PORTFOLIO",
            "Graduation Standards Portfolio",
            "project",
            "Seniors gather evidence for each standard and present it.",
            ("RE.a", "RE.c", "RE.d", "CM.b", "CM.c", "CM.d"),
            grades=(12,),
            core=True,
        ),
        ExperienceSpec(
            "FLEX",
            "Flexible Pathways: Learning Outside School",
            "outside",
            "Jobs, farm work, athletics and community roles recognized toward the standards.",
            ("CE.a", "WP.b", "CG.c", "SI.a", "HL.SD.1", "HL.CO.1"),
            max_terms=0,
        ),
    )
    return courses + others


JUNIPER_VALLEY = SchoolSpec(
    school_code="990303",
    counselor=("Ingrid Solberg", "guidance@junipervalley.example.org", "555-0190"),
    slug="juniper-valley",
    name="Juniper Valley Union High School",
    short_name="Juniper Valley",
    city="Juniper Falls",
    enrollment_size=1180,
    website="https://junipervalley.example.org",
    mission=(
        "Graduates who learn alongside others, think with imagination and care, act responsibly, give back to "
        "their communities and build real excellence in what they love."
    ),
    context=(
        "A regional public high school of about 1,180 students serving six rural towns in a farming valley. "
        "Teachers write Know–Understand–Do learning targets for every course, with common four-level scales for "
        "courses taught by several teachers, and plan in four readiness groups. Each course target is tied to "
        "an indicator of one of eight graduation standards, so students can see how a lab or an essay counts "
        "toward what the diploma certifies. Habits of learning are rated in every class and reported "
        "separately. Students with learning plans may be assessed with accommodations or, rarely, on a "
        "modified scale; both are flagged. The demo follows 200 of the school's students."
    ),
    credit_policy=(
        "Juniper Valley's proficiency-based diploma rests on eight graduation standards, each divided into "
        "indicators, and on the learning targets of each course, each tied to one indicator. Targets and "
        "indicators are scored 1–4 in half steps; 3 is proficient. A course credit is earned when a student is "
        "proficient on all but one of the course's targets, including every target the department marks as "
        "essential. A standard credit is earned with points from the standard's indicators, rated in "
        "graduation-standard tasks. Course target scores follow the trend of a student's summative work (a "
        "power-law fit), so a strong finish counts more than a slow start; indicator scores weight the most "
        "recent evidence. Advanced credits come from Advanced Topics courses, which replace exams with public "
        "work, and most are defended before a panel. Habits of learning are reported separately and never "
        "enter a credit."
    ),
    scales=(
        ScaleSpec(
            key="jv-1-4",
            name="Juniper Valley 1–4 scale",
            levels=_levels(
                ("1", "Beginning", "Shows the foundational knowledge with help."),
                ("2", "Developing", "Shows the knowledge and part of the skill; errors remain."),
                ("3", "Proficient", "Meets the target on their own and consistently."),
                ("4", "Extending", "Applies the target in new or more complex situations."),
            ),
            mastery_threshold=_d("3"),
            exceeds_threshold=_d("3.5"),
            step=_d("0.5"),
        ),
        ScaleSpec(
            key="jv-habits",
            name="Habits of learning scale",
            levels=_levels(
                ("1", "Rarely", "Seldom seen, even with reminders."),
                ("2", "Sometimes", "Seen with reminders."),
                ("3", "Usually", "Seen most days without reminders."),
                ("4", "Consistently", "Seen every day; a model for others."),
            ),
            mastery_threshold=_d("3"),
        ),
    ),
    frameworks=(
        FrameworkSpec(
            key="jv-academic",
            name="Graduation Standards and Course Targets",
            kind="academic",
            description="Eight graduation standards, their indicators, and the course learning targets tied to them.",
            scale="jv-1-4",
            method="power_law",
            param=None,
            counts_formative=False,
            version="2025–26",
            outcomes=(
                OutcomeSpec(
                    "THINK",
                    "Thinks things through",
                    "Solves problems, reasons from evidence and uses mathematics and science to do it.",
                ),
                OutcomeSpec(
                    "VOICE",
                    "Speaks and makes with purpose",
                    "Communicates clearly and creates work that says something.",
                ),
                OutcomeSpec(
                    "CITIZEN",
                    "Takes part in the world",
                    "Understands communities near and far, and looks after themself and others.",
                ),
            ),
            competencies=_jv_tree(),
        ),
        FrameworkSpec(
            key="jv-habits",
            name="Habits of Learning",
            kind="habits",
            description="The ninth graduation expectation: learning how to learn. Reported, never part of a credit.",
            scale="jv-habits",
            method="decaying_average",
            param=70,
            counts_formative=True,
            version="2025–26",
            competencies=(
                CompetencySpec(
                    "HL.SD",
                    "Self-direction: takes initiative in, and responsibility for, learning.",
                    "standard",
                    children=(
                        CompetencySpec(
                            "HL.SD.1",
                            "I arrive ready to learn, with what I need and a focused mind.",
                            "target",
                        ),
                        CompetencySpec(
                            "HL.SD.2",
                            "I reflect on my choices and strategies and how they shape my learning.",
                            "target",
                        ),
                        CompetencySpec(
                            "HL.SD.3",
                            "I speak up about questions, ideas, stuck points and conflicts.",
                            "target",
                        ),
                    ),
                ),
                CompetencySpec(
                    "HL.CO",
                    "Collaboration: works with others so that everyone's learning moves forward.",
                    "standard",
                    children=(
                        CompetencySpec(
                            "HL.CO.1",
                            "I share the work and keep my commitments to the group.",
                            "target",
                        ),
                        CompetencySpec(
                            "HL.CO.2",
                            "I listen to the ideas of others and build on them.",
                            "target",
                        ),
                    ),
                ),
            ),
        ),
    ),
    areas=tuple(
        CreditAreaSpec(code, name, colour, i, description)
        for i, (code, name, colour, description) in enumerate(_JV_AREAS, start=1)
    ),
    credits=_jv_credits(),
    graduation_rules=(
        GraduationRuleSpec(
            "min_credits_in_each_area",
            "At least two foundational credits in each of the six areas",
            level="foundational",
            n=2,
        ),
        GraduationRuleSpec(
            "min_credits", "At least 16 of the 18 foundational credits", level="foundational", n=16
        ),
        GraduationRuleSpec(
            "specific_credits",
            "The Purposeful Communication and Quantitative Literacy standards",
            credits=("JV-STD-CM", "JV-STD-QL"),
        ),
    ),
    experiences=_jv_experiences(),
    terms=(TermSpec("Semester 1", (8, 27), (1, 16)), TermSpec("Semester 2", (1, 20), (6, 12))),
    term_load=5,
    admin=StaffSpec("Patricia Lemieux", "Principal"),
    registrar=StaffSpec("Gary Bouchard", "Registrar"),
    teachers=(
        StaffSpec("Heather Colburn", "English"),
        StaffSpec("Nathan Brightman", "English"),
        StaffSpec("Jill Paquin", "Mathematics"),
        StaffSpec("Dennis Royce", "Mathematics"),
        StaffSpec("Karen Ostrander", "Biology"),
        StaffSpec("Eli Sutherland", "Chemistry"),
        StaffSpec("Monique Levesque", "U.S. history"),
        StaffSpec("Brian Kittredge", "Global studies"),
        StaffSpec("Sarah Vinton", "Visual art"),
        StaffSpec("Carl Strom", "Music"),
        StaffSpec("Alison Pratt", "Health"),
        StaffSpec("Derek Mayo", "Physical education"),
        StaffSpec("Rebecca Hsu", "Science"),
        StaffSpec("Frank DeLuca", "Mathematics"),
        StaffSpec("Joanna Birch", "Learning center"),
        StaffSpec("Luke Tremblay", "Social studies"),
        StaffSpec("Mara Kessel", "English"),
        StaffSpec("Peter Jandreau", "Community-engaged learning"),
        StaffSpec("Tessa Ward", "Career internships"),
        StaffSpec("Omar Bashir", "Science"),
    ),
    advisors=(
        StaffSpec("Gail Hammond", "Teacher advisor"),
        StaffSpec("Ron Fortin", "Teacher advisor"),
        StaffSpec("Deb Lacasse", "Teacher advisor"),
        StaffSpec("Will Shattuck", "Teacher advisor"),
        StaffSpec("Amy Perreault", "Teacher advisor"),
        StaffSpec("Chris Tobin", "Teacher advisor"),
        StaffSpec("Janet Morse", "Teacher advisor"),
        StaffSpec("Sam Larrabee", "Teacher advisor"),
    ),
    reviewers=(
        StaffSpec("Lydia Hurd", "School board member"),
        StaffSpec("Ned Carrington", "Conservation district manager"),
        StaffSpec("Rosa Quintero", "Community college faculty"),
    ),
    guests=(
        GuestSpec("Martha Sheldon", "martha.sheldon@example.org", "Chair of the town select board"),
        GuestSpec("Ibrahim Diallo", "ibrahim.diallo@example.org", "Civil engineer"),
        GuestSpec("Clara Winslow", "clara.winslow@example.org", "Novelist"),
        GuestSpec("Evan Marchand", "evan.marchand@example.org", "Wildlife biologist"),
        GuestSpec("Priyanka Shah", "priyanka.shah@example.org", "Data analyst"),
        GuestSpec(
            "Tom Healey", "tom.healey@example.org", "Dairy farmer and cooperative board member"
        ),
    ),
    names=NamePoolSpec(
        given=(
            "Abigail",
            "Aiden",
            "Brooke",
            "Caleb",
            "Cora",
            "Dylan",
            "Emma",
            "Everett",
            "Faith",
            "Gavin",
            "Hannah",
            "Hunter",
            "Isla",
            "Jack",
            "Kaylee",
            "Liam",
            "Lily",
            "Logan",
            "Mason",
            "Molly",
            "Nora",
            "Owen",
            "Paige",
            "Quinn",
            "Reid",
            "Riley",
            "Sadie",
            "Tanner",
            "Wyatt",
            "Zoe",
            "Ruby",
            "Levi",
            "Elsie",
            "Silas",
            "Maeve",
            "Gus",
            "Hazel",
            "Wren",
            "Jonah",
            "Addison",
            "Amina",
            "Minh",
        ),
        family=(
            "Aldrich",
            "Barlow",
            "Bishop",
            "Chamberlain",
            "Cote",
            "Dubois",
            "Farnsworth",
            "Gagnon",
            "Hatch",
            "Hurlburt",
            "Kimball",
            "Lapointe",
            "Marsh",
            "Morrow",
            "Nadeau",
            "Ouellette",
            "Paquette",
            "Pike",
            "Rowell",
            "Sargent",
            "Thibault",
            "Tuttle",
            "Wheeler",
            "Whitcomb",
            "Yandow",
            "Ames",
            "Brigham",
            "Colby",
            "Dunbar",
            "Emery",
            "Fiske",
            "Goodale",
            "Hale",
            "Lyman",
            "Merrill",
            "Pratt",
            "Quimby",
            "Stearns",
            "Nguyen",
            "Osman",
        ),
        guardian_given=(
            "Amy",
            "Brian",
            "Carrie",
            "Dale",
            "Erin",
            "Gregory",
            "Heidi",
            "Jason",
            "Kristen",
            "Lori",
            "Matthew",
            "Melissa",
            "Nicole",
            "Paul",
            "Rachel",
            "Scott",
            "Shannon",
            "Todd",
            "Wendy",
            "Craig",
            "Denise",
            "Hoa",
            "Fadumo",
        ),
    ),
    journey=JourneySpec(
        earned=("PV1", "GP1", "GP2", "LM3", "LM4", "AL1", "AL3", "SU1", "SU2"),
        in_progress=("PV2", "PV3", "GP3", "LM1", "LM2", "AL2", "AL4", "SU3"),
    ),
    review_location="Library seminar room",
)


# --- the network ------------------------------------------------------------------------------

NETWORK = NetworkSpec(
    name="Northlight Learning Network",
    slug="northlight",
    description=(
        "A consortium of three mastery-based high schools (a public charter, an independent boarding school "
        "and a regional public high school) that share panel reviewers, moderation days and their journey "
        "self-assessments. Invented for the Credo demo."
    ),
    lead=StaffSpec("Imogen Farrow", "Network director of mastery learning"),
    schools=(WAYFINDER, HARTWELL, JUNIPER_VALLEY),
)

#: Every code of the journey template, so the content can be checked without importing it.
JOURNEY_CODES: tuple[str, ...] = (
    "PV1",
    "PV2",
    "PV3",
    "PV4",
    "PV5",
    "GP1",
    "GP2",
    "GP3",
    "LM1",
    "LM2",
    "LM3",
    "LM4",
    "LM5",
    "LM6",
    "AL1",
    "AL2",
    "AL3",
    "AL4",
    "AL5",
    "AL6",
    "SU1",
    "SU2",
    "SU3",
    "SU4",
)
