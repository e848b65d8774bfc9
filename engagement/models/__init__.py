"""Engagement: progress digests (digests); surveys, recommendations and self-identification
each in their own module as they arrive."""

from engagement.models.digests import (
    DELIVERY_DONE,
    DeliveryStatus,
    DigestDelivery,
    DigestPreference,
    DigestRun,
    DigestSchedule,
    Frequency,
    RunTrigger,
    Weekday,
)

__all__ = [
    "DELIVERY_DONE",
    "DeliveryStatus",
    "DigestDelivery",
    "DigestPreference",
    "DigestRun",
    "DigestSchedule",
    "Frequency",
    "RunTrigger",
    "Weekday",
]
