"""Engagement: progress digests (digests), recommendations and their actions
(recommendations), voluntary self-identification and representation goals (identity)."""

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
from engagement.models.recommendations import (
    PlanAction,
    ProgressMethod,
    Recommendation,
    RecommendationLink,
    RecommendationStatus,
)

__all__ = [
    "DELIVERY_DONE",
    "DeliveryStatus",
    "DigestDelivery",
    "DigestPreference",
    "DigestRun",
    "DigestSchedule",
    "Frequency",
    "PlanAction",
    "ProgressMethod",
    "Recommendation",
    "RecommendationLink",
    "RecommendationStatus",
    "RunTrigger",
    "Weekday",
]
