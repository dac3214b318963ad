"""The audit events the demo app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

DEMO_LOADED = register("demo.loaded", "A demonstration school was loaded", "schools.school")
DEMO_RESET = register(
    "demo.reset",
    "The demonstration network was wiped to be loaded again",
    "schools.network",
)
