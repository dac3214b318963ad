"""The starter educator framework a school adapts: plain data, no Django.

Written for Credo in its own words, on the themes the seeds give for educators' growth
(planning for mastery, feedback, assessment literacy, culture, professional excellence,
mentoring). Once installed every word is the school's to change on its setup pages.
"""

FRAMEWORK_NAME = "Educator practice"
FRAMEWORK_DESCRIPTION = (
    "What our educators work toward, on the same scale and engine our students use: each level "
    "is the one most recently shown in observed practice."
)
SCALE_NAME = "Educator practice scale"
# (value, label, description)
LEVELS = (
    (1, "Beginning", "Trying the practice, with support."),
    (2, "Developing", "Uses the practice, not yet reliably."),
    (3, "Proficient", "Uses the practice well and on purpose, day to day."),
    (4, "Leading", "Helps colleagues take the practice on."),
)
THRESHOLD, EXCEEDS = 3, 4
METHOD = "latest"

# (code, statement)
COMPETENCIES = (
    (
        "EP1",
        "Plans for mastery: designs learning around clear targets, with tasks that let every "
        "learner show what they can do and more than one way to get there.",
    ),
    (
        "EP2",
        "Gives feedback that moves learning: timely, specific to the target, and followed by "
        "time for learners to act on it and revise.",
    ),
    (
        "EP3",
        "Reads and writes assessment well: tasks measure the target they name, evidence is "
        "rated consistently against the school's scale, and ratings are calibrated with "
        "colleagues.",
    ),
    (
        "EP4",
        "Builds a culture of learning: mistakes are part of the work, learners own their "
        "progress, and everyone belongs.",
    ),
    (
        "EP5",
        "Holds to professional excellence: measures their own practice against the school's "
        "educator competencies, asks for feedback and shows growth through evidence.",
    ),
    (
        "EP6",
        "Mentors and collaborates: observes colleagues, gives useful feedback, shares "
        "practice and helps new staff find their feet.",
    ),
)

AREA = ("EDU", "Educator micro-credentials")
# (code, title, standard, competency codes)
MICRO_CREDENTIALS = (
    (
        "MC-FEEDBACK",
        "Feedback for revision",
        "Shows, in observed lessons and learners' revised work, feedback that learners act on.",
        ("EP2",),
    ),
    (
        "MC-ASSESS",
        "Assessment for mastery",
        "Plans tasks aligned to targets and rates evidence consistently with colleagues.",
        ("EP1", "EP3"),
    ),
    (
        "MC-MENTOR",
        "Mentor",
        "Supports a colleague's growth over time and holds their own practice to the standard.",
        ("EP5", "EP6"),
    ),
)

# The school journey's competencies that educators' growth is evidence for (template codes).
JOURNEY_CODES = ("LM4", "SU1", "SU3")
