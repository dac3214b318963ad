"""The audit events the analytics app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

BENCH_DISTRICT_GENERATED = register(
    "bench.district_generated",
    "The synthetic benchmark district was generated",
    "schools.network",
)
