"""The outbox's table: a message, its state, how it depends on the one it waits for, and
where a kind of record keeps the message that is its (storage.outbox queues them,
storage.sends records what the sender did)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment
from storage.models import TEAM_ID, USER_ID, Base, _enum
from storage.problems import Problem
from storage.rituals import RitualRun, StandupAnswer
from storage.types import UTCDateTime, utcnow


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, from next_try_at on
    CLAIMED = "claimed"  # taken by one sender; its outcome not yet known
    SENT = "sent"
    FAILED = "failed"  # Slack refused it for good; its owner was told


class Relation(enum.StrEnum):
    """How a message depends on the one it waits for (`after`)."""

    FOLLOWS = "follows"  # posted once that one is
    REPLY = "reply"  # posted in that one's thread
    EDIT = "edit"  # replaces that one's text and blocks


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_outbox_due", "state", "next_try_at"),
        Index("ix_outbox_after", "after"),
        # A record's messages (its card, its canvas), read at each change to the record.
        Index("ix_outbox_record", "team_id", "slot", "record_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM_ID)
    # What it is, in the team's words: "P-12's card", "the weekly digest", for logs and notices.
    what: Mapped[str] = mapped_column(String(80))
    # A channel id, or a user id for a direct message.
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # A file to upload (a chart), with `text` as its comment.
    file: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(120), nullable=True)
    file_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    after: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), nullable=True)
    relation: Mapped[Relation | None] = mapped_column(_enum(Relation), nullable=True)
    # A message Slack already has (posted before the outbox): its ts, to reply to or edit.
    target_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Where the record this belongs to keeps its message (see SLOTS), and its number (P-12: 12).
    slot: Mapped[str | None] = mapped_column(String(32), nullable=True)
    record_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Posted under a person's name and avatar (chat:write.customize): their standup answer.
    username: Mapped[str | None] = mapped_column(String(120), nullable=True)
    icon_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # `{link}` in its text is the permalink of the message it follows, filled in when sent.
    links_after: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Who hears about it if Slack refuses it for good.
    owner: Mapped[str | None] = mapped_column(USER_ID, nullable=True)
    # Enqueueing the same key twice in a workspace stores one message.
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState), default=OutboxState.PENDING)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The channel Slack answered with: a DM's D… id where `channel` is a user id.
    sent_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a message Slack did not take is tried again; None: as soon as possible.
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The clock process holding the claim (storage.claimers); None for a web process's.
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Slot:
    """Where a kind of record keeps its message: the table and its channel and ts columns
    (no channel column where the record's message is always in a known place), and the
    column `record_number` names a row by."""

    table: Table
    channel: str | None
    ts: str
    by: str = "number"


SLOTS = {
    "problem_card": Slot(Problem.__table__, "card_channel", "card_ts"),
    "experiment_message": Slot(Experiment.__table__, "message_channel", "message_ts"),
    "analysis_message": Slot(ErrorAnalysis.__table__, None, "message_ts"),
    "standup_answer": Slot(StandupAnswer.__table__, None, "message_ts", by="id"),
    # A digest's run keeps where its first message went: a later digest links to it.
    "digest_run": Slot(RitualRun.__table__, "channel", "ts", by="id"),
    # A problem's canvas (jobs/canvas.py): its id stands for the message ts.
    "problem_canvas": Slot(Problem.__table__, None, "canvas_id"),
}
