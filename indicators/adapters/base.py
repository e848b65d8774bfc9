"""What every format adapter yields, and the parsing they share."""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, Protocol


# Named tuples, not dataclasses: a million rows look them up by value, and a tuple's hash is
# the cheapest there is.
class GeoRef(NamedTuple):
    """A geography as a file names it: a name, and a code in a scheme when there is one."""

    name: str
    scheme: str = "none"
    code: str = ""
    kind: str = "other"


class PeriodRef(NamedTuple):
    start: datetime.date
    end: datetime.date
    granularity: str
    label: str


@dataclass(slots=True)
class ValueRow:
    line: int
    indicator: str  # the indicator's code
    geography: GeoRef
    period: PeriodRef
    dimensions: dict[str, str]
    value: Decimal | None
    status: str = ""
    footnote: str = ""
    complete_through: datetime.date | None = None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str
    summary: str = ""


@dataclass
class SourceMeta:
    organisation: str
    title: str = ""
    url: str = ""
    table_id: str = ""
    licence: str = ""
    periodicity: str = ""


@dataclass
class IndicatorMeta:
    """An indicator's description as a metadata file gives it."""

    code: str
    name_en: str
    name_fr: str = ""
    definition_en: str = ""
    definition_fr: str = ""
    unit_label: str = ""
    unit_label_fr: str = ""
    unit_type: str = "count"
    multiplier: int = 1
    decimals: int = 1
    direction: str = "positive"
    natural_limit: Decimal | None = None
    periodicity: str = ""
    target_text: str = ""
    target_text_fr: str = ""
    limitations: str = ""
    limitations_fr: str = ""
    domain: str = "well-being"
    default_selection: dict[str, str] = field(default_factory=dict)
    sources: list[SourceMeta] = field(default_factory=list)
    # Open SDG's progress options: direction, base_year, target, target_year.
    progress: dict = field(default_factory=dict)


class Adapter(Protocol):
    name: str

    def indicators(self) -> list[IndicatorMeta]: ...

    def rows(self) -> Iterator[ValueRow | RowProblem]: ...


LARGEST = Decimal(10) ** 14
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}


def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@functools.lru_cache(maxsize=4096)
def parse_period(text: str) -> PeriodRef:
    """2015 · 2015-16 / 2015/2016 (fiscal, April to March) · 2024-Q3 / 2024 Q3 · 2018-01 ·
    Jan-18 / January 2018. Raises ValueError with a reason."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m[1])
        return PeriodRef(datetime.date(y, 1, 1), datetime.date(y, 12, 31), "year", t)
    if m := re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", t):
        y, tail = int(m[1]), m[2]
        y2 = int(tail) if len(tail) == 4 else (y // 100) * 100 + int(tail)
        if len(tail) == 2 and int(tail) <= 12 and y2 != y + 1:
            return PeriodRef(datetime.date(y, int(tail), 1), _last_day(y, int(tail)), "month", t)
        if y2 != y + 1:
            raise ValueError(f"“{t}” is not a year, a fiscal year (2015-16) or a month")
        return PeriodRef(datetime.date(y, 4, 1), datetime.date(y2, 3, 31), "fiscal_year", t)
    if m := re.fullmatch(r"(\d{4})\s*-?\s*Q([1-4])", t, re.IGNORECASE):
        y, q = int(m[1]), int(m[2])
        start = datetime.date(y, 3 * q - 2, 1)
        return PeriodRef(start, _last_day(y, 3 * q), "quarter", f"{y} Q{q}")
    if m := re.fullmatch(r"([A-Za-z]{3})-(\d{2})", t):
        month = MONTHS.get(m[1].lower())
        if month:
            y = 2000 + int(m[2])
            return PeriodRef(datetime.date(y, month, 1), _last_day(y, month), "month", t)
    if m := re.fullmatch(r"([A-Za-z]+),?\s+(\d{4})", t):
        month = MONTH_NAMES.get(m[1].lower()) or MONTHS.get(m[1].lower())
        if month:
            y = int(m[2])
            return PeriodRef(datetime.date(y, month, 1), _last_day(y, month), "month", t)
    raise ValueError(
        f"“{t[:40]}” is not a period the portal reads (2015, 2015-16, 2024-Q3, Jan-18)"
    )


def parse_value(text: str) -> Decimal | None:
    """A number as files write it ("1,070.26", "31.8%", " 12 "); empty is None (never 0).
    Raises ValueError with a reason."""
    try:  # the usual case, a plain number, first
        d = Decimal(text)
    except InvalidOperation:
        pass
    else:
        if d.is_finite() and abs(d) < LARGEST:
            return d
    t = text.strip().replace(",", "")
    if t.endswith("%"):
        t = t[:-1].strip()
    if t == "":
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()[:40]}” is not a number") from None
    if not d.is_finite():
        raise ValueError(f"“{text.strip()[:40]}” is not a number")
    if abs(d) >= LARGEST:
        raise ValueError("the value is too large")
    return d


def month_date(text: str) -> datetime.date | None:
    """ "September, 2024" → 2024-09-30 (the last day it covers); None when empty or unknown."""
    try:
        p = parse_period(text.replace(",", " ").strip()) if text.strip() else None
    except ValueError:
        return None
    return p.end if p else None


def clean(text: str) -> str:
    """Open SDG's translation keys carry a `data.` prefix: strip it."""
    t = text.strip()
    return t[5:] if t.startswith("data.") else t
