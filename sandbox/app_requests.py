"""What people do in Slack, turned into the signed requests Slack sends to the app."""

from __future__ import annotations

from sandbox.clicks import Clicks
from sandbox.commands import Commands
from sandbox.events import Events
from sandbox.modal_actions import ModalActions


class AppRequests(Commands, Clicks, ModalActions, Events):
    """The delivering half of the emulator: slash commands, clicks, modals, shortcuts, events."""
