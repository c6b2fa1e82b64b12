"""Column-level decisions, as values that can be taken on some rows and applied to others.

Two checks decide something about a whole column from its values: the day/month order of
slash dates (:func:`~activity_schema.checking.normalize.parse_dates`) and whether the email column
and a name column were swapped (:func:`~activity_schema.checking.relocate.coerce_content`). A
batched (streamed) run takes these decisions on a sample spread over the input (or, when
the sample decides nothing, on the first batch that can) and passes them back to
the engine for every later batch (``check_table(..., decisions=...)``), so that the
whole file is read one way. This module only holds the values; it imports nothing from
the rest of the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..schema.config import DateOrder

__all__ = ["ColumnDecisions", "DateDecision", "SwapDecision"]


@dataclass(frozen=True)
class DateDecision:
    """The day/month order of one date column, and why.

    Attributes:
        order: ``"mdy"`` or ``"dmy"``; None when the column has no month/day-first dates
            (nothing was decided).
        reason: Why, for the report.
        flag_ambiguous: Whether dates that could be read either way are reported as
            ``ambiguous-date`` (when no value told the order).

    Example:
        >>> DateDecision("dmy", "value 13/10/2024 can only be day-first", False).order
        'dmy'
    """

    order: DateOrder | None
    reason: str
    flag_ambiguous: bool = False


@dataclass(frozen=True)
class SwapDecision:
    """Whether the email column holds names and another column the email addresses.

    Attributes:
        other: The field whose whole column is swapped with the email field's; None
            when no columns are swapped.
        reason: Why, for the report.

    Example:
        >>> SwapDecision(None, "most emails look like addresses").other is None
        True
    """

    other: str | None
    reason: str


def _frozen(dates: Mapping[str, DateDecision]) -> Mapping[str, DateDecision]:
    return MappingProxyType(dict(dates))


@dataclass(frozen=True)
class ColumnDecisions:
    """The column-level decisions of one input, by field.

    Empty (the default) means "decide everything from the rows at hand"; a decision that
    is present is applied as it is.

    Attributes:
        dates: Per date field, its day/month order.
        swap: Whether the email column is swapped with another (None: not decided).

    Example:
        >>> first = ColumnDecisions(dates={"ActivityDate": DateDecision("dmy", "13/10/2024")})
        >>> later = ColumnDecisions(swap=SwapDecision(None, "no swap"))
        >>> merged = first.merged(later)
        >>> merged.dates["ActivityDate"].order, merged.swap is not None
        ('dmy', True)
    """

    dates: Mapping[str, DateDecision] = field(default_factory=dict)
    swap: SwapDecision | None = None

    def __post_init__(self) -> None:
        # Frozen all the way down: a decision passed to a later batch cannot change.
        object.__setattr__(self, "dates", _frozen(self.dates))

    def decided(self) -> ColumnDecisions:
        """Return only the decisions actually taken (date orders that are not None)."""
        return ColumnDecisions(
            dates={k: v for k, v in self.dates.items() if v.order is not None}, swap=self.swap
        )

    def merged(self, later: ColumnDecisions) -> ColumnDecisions:
        """Return these decisions, completed with ``later``'s where these decided nothing."""
        ours = self.decided()
        dates = dict(later.decided().dates)
        dates.update(ours.dates)
        return ColumnDecisions(dates=dates, swap=ours.swap or later.swap)

    def new_in(self, later: ColumnDecisions) -> ColumnDecisions:
        """Return the decisions ``later`` took that these did not have."""
        ours = self.decided()
        theirs = later.decided()
        return ColumnDecisions(
            dates={k: v for k, v in theirs.dates.items() if k not in ours.dates},
            swap=theirs.swap if ours.swap is None else None,
        )

    def __bool__(self) -> bool:
        return bool(self.decided().dates) or self.swap is not None
