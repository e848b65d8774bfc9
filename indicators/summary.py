"""How an indicator's series reads in words: values with their unit, the one-sentence summary
("Ontario's rate rose from 1,070 to 1,433 per 100,000 between 2015 and 2024, moving away from
where we want it.") and the trend arrow with its words. Plain values in, text out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from indicators.charts import fmt_number

# Desired directions as the catalogue writes them (Open SDG's "positive" / "negative"); an
# indicator with neither has no better or worse.
UP = frozenset({"positive", "up", "increase", "higher"})
DOWN = frozenset({"negative", "down", "decrease", "lower"})

NOUNS = {
    "percent": "percentage",
    "rate": "rate",
    "count": "count",
    "index": "index",
    "currency": "amount",
    "days": "time",
}


@dataclass(frozen=True)
class Unit:
    """What a value is: its type (percent, rate, count, index, currency, days), the label
    written after it ("per 100,000", "deaths") and its decimals."""

    type: str
    label: str = ""
    decimals: int = 0

    def format(self, value: Decimal) -> str:
        number = fmt_number(value, self.decimals)
        if self.type == "percent":
            return f"{number}%"
        if self.type == "currency":
            return f"-${number[1:]}" if number.startswith("-") else f"${number}"
        if self.type == "days" and not self.label:
            return f"{number} days"
        return f"{number} {self.label}" if self.label else number

    def bare(self, value: Decimal) -> str:
        """The number alone where the unit follows later in the sentence; percent and
        currency keep their sign, as people write them."""
        if self.type in ("percent", "currency"):
            return self.format(value)
        return fmt_number(value, self.decimals)


def better_way(direction: str | None) -> int:
    """+1 when higher is better, -1 when lower is better, 0 when the indicator says neither."""
    key = (direction or "").lower()
    return 1 if key in UP else -1 if key in DOWN else 0


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _known(points: Sequence[tuple[str, Decimal | None]]) -> list[tuple[str, Decimal]]:
    return [(label, value) for label, value in points if value is not None]


def summary_sentence(
    *,
    geography: str,
    points: Sequence[tuple[str, Decimal | None]],
    direction: str | None,
    unit: Unit,
    noun: str | None = None,
) -> str:
    """One sentence from the first period with a value to the latest: which way it moved, by
    how much, and whether that is towards where we want it. Periods without a value are
    skipped, never read as zero."""
    noun = noun or NOUNS.get(unit.type, "value")
    known = _known(points)
    if not known:
        return f"No values have been published for {geography} yet."
    (first_label, first), (last_label, last) = known[0], known[-1]
    subject = f"{possessive(geography)} {noun}"
    if len(known) == 1:
        return f"{subject} was {unit.format(last)} in {last_label}, the only period with a value."
    way = better_way(direction)
    if last == first:
        return f"{subject} stayed at {unit.format(last)} between {first_label} and {last_label}."
    verb = "rose" if last > first else "fell"
    sentence = (
        f"{subject} {verb} from {unit.bare(first)} to {unit.format(last)} "
        f"between {first_label} and {last_label}"
    )
    if way:
        towards = (last > first) == (way > 0)
        sentence += (
            ", moving towards where we want it"
            if towards
            else ", moving away from where we want it"
        )
    return sentence + "."


@dataclass(frozen=True)
class Trend:
    """The latest change, as an arrow and words: `better` is True, False, or None (no change,
    too few values, or an indicator with no desired direction)."""

    arrow: str
    words: str
    better: bool | None
    since: str = ""  # the period the latest value is compared with

    @property
    def css(self) -> str:
        return {True: "better", False: "worse", None: "neutral"}[self.better]


def latest_trend(points: Sequence[tuple[str, Decimal | None]], *, direction: str | None) -> Trend:
    """The latest value against the one before it (the last earlier period that has a value)."""
    known = _known(points)
    if len(known) < 2:
        return Trend(arrow="", words="Not enough values for a trend", better=None)
    (since, previous), (_, latest) = known[-2], known[-1]
    if latest == previous:
        return Trend(arrow="→", words="Unchanged", better=None, since=since)
    rising = latest > previous
    arrow, moved = ("↑", "Up") if rising else ("↓", "Down")
    way = better_way(direction)
    if not way:
        return Trend(arrow=arrow, words=f"{moved} since {since}", better=None, since=since)
    better = rising == (way > 0)
    judged = "better" if better else "worse"
    return Trend(arrow=arrow, words=f"{moved} since {since}, {judged}", better=better, since=since)
