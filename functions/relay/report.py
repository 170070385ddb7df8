"""Quality follow-up of the relay, per mentor and overall: questions, outcomes, answer times.

Counts and durations only: no pseudonym, no address, no message text ever
enters a report, so it can be shared with the team or opened in a spreadsheet.
Read through the Store port (`list_threads`, `list_messages`, `events`), so it
works the same on SQLite and DynamoDB.

What each column means (a thread starts with the mentee's first question):

- questions: first questions whose address was confirmed (they reached moderation)
- pending: of those, still waiting for a moderator
- approved: passed on to the mentor (approved or already delivered)
- rejected: refused by a moderator, counted per reason code too
- answered: threads in which the mentor wrote at least once
- waiting: question passed on, thread still open, the mentor has not written yet
- median_hours_to_answer: from the question reaching the mentor (its delivery,
  else its approval) to the mentor's first message
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from . import vocab
from .domain import Side, Status, ThreadState
from .ports import Store

TOTAL = "TOTAL"
PASSED_ON = (Status.APPROVED, Status.DELIVERED)
COUNTS = ("questions", "pending", "approved", "rejected", "answered", "waiting")
#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Line:
    """One mentor's figures (or the overall ones)."""

    mentor: str
    questions: int = 0
    pending: int = 0
    approved: int = 0
    answered: int = 0
    waiting: int = 0
    rejected_by: Counter = field(default_factory=Counter)
    answer_hours: list[float] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by.values())

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.answer_hours), 1) if self.answer_hours else None

    def add(self, other: Line) -> None:
        for name in ("questions", "pending", "approved", "answered", "waiting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected_by.update(other.rejected_by)
        self.answer_hours.extend(other.answer_hours)


@dataclass
class Report:
    mentors: list[Line]
    total: Line
    reasons: list[str]  # rejection reason codes, in data/rejection_reasons.yaml order
    generated_at: datetime


def _passed_on_at(message_id: str, events) -> datetime | None:
    """When the question reached the mentor: its delivery, else its approval."""
    found = {e.action: e.at for e in events if e.message_id == message_id}
    return found.get("delivered") or found.get("approved")


def _count_thread(line: Line, thread, messages, events) -> None:
    if not messages or messages[0].author != Side.MENTEE:
        return
    first = messages[0]
    if first.status == Status.RECEIVED:
        return  # the address was never proven: not a question yet
    line.questions += 1
    if first.status in (Status.CONFIRMED, Status.PENDING):
        line.pending += 1
    elif first.status in PASSED_ON:
        line.approved += 1
    elif first.status == Status.REJECTED:
        line.rejected_by[first.reason or "unknown"] += 1
    answers = [m for m in messages if m.author == Side.MENTOR]
    if answers:
        line.answered += 1
        passed_at = _passed_on_at(first.id, events)
        if passed_at is not None and answers[0].created_at >= passed_at:
            line.answer_hours.append((answers[0].created_at - passed_at).total_seconds() / 3600)
    elif first.status in PASSED_ON and thread.state == ThreadState.OPEN:
        line.waiting += 1


def build(store: Store, *, now: datetime, mentors: Iterable[str] = ()) -> Report:
    """Figures for every mentor with a thread, plus `mentors` (e.g. the manifest's) at zero."""
    lines = {slug: Line(slug) for slug in mentors}
    for thread in store.list_threads(now=now):
        line = lines.setdefault(thread.mentor, Line(thread.mentor))
        _count_thread(
            line, thread, store.list_messages(thread.id, now=now), store.events(thread.id)
        )
    total = Line(TOTAL)
    for line in lines.values():
        total.add(line)
    known = [code for code, _ in vocab.labels("rejection_reasons", "en")]
    extra = sorted(set(total.rejected_by) - set(known))
    return Report(sorted(lines.values(), key=lambda x: x.mentor), total, known + extra, now)


# --- output ------------------------------------------------------------------------------------


def columns(report: Report) -> list[str]:
    return ["mentor", *COUNTS, *(f"rejected_{c}" for c in report.reasons), "median_hours_to_answer"]


def rows(report: Report) -> list[list[object]]:
    out = []
    for line in [*report.mentors, report.total]:
        median = line.median_hours
        out.append([
            line.mentor, *(getattr(line, name) for name in COUNTS),
            *(line.rejected_by.get(code, 0) for code in report.reasons),
            "" if median is None else median,
        ])  # fmt: skip
    return out


def neutralise(value: object) -> str:
    """A text cell that a spreadsheet would run as a formula is prefixed with a quote."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns(report)])
    for row in rows(report):
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def to_table(report: Report) -> str:
    """A plain-text table for a terminal; rejections by reason listed under it."""
    head = ["mentor", *COUNTS, "median h"]
    body = []
    for line in [*report.mentors, report.total]:
        median = line.median_hours
        body.append([
            line.mentor, *(str(getattr(line, name)) for name in COUNTS),
            "—" if median is None else f"{median:.1f}",
        ])  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    lines = [fmt(head), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in body[:-1]]
    if body[:-1]:
        lines.append("  ".join("-" * w for w in widths))
    lines.append(fmt(body[-1]))
    lines.append("")
    lines.append(f"Rejected by reason (as of {report.generated_at:%Y-%m-%d %H:%M} UTC):")
    given = [(code, report.total.rejected_by.get(code, 0)) for code in report.reasons]
    lines += [f"  {code:<20} {count}" for code, count in given]
    return "\n".join(lines) + "\n"
