"""What reading one input yields."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Rejection, SourceRecord


@dataclass(slots=True)
class SourceResult:
    """Papers read from an input, records that were refused, and notes that lost nothing."""

    records: list[SourceRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
