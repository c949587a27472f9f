"""The sample bot, tested against callstate's model with generated, interleaved calls."""

from __future__ import annotations

from typing import Any

from bot import CallBook
from hypothesis import settings

from callstate.testing import BotConformance


class SampleBotConformance(BotConformance):
    """Feeds every generated notification to a CallBook and compares its states with the model's."""

    def __init__(self) -> None:
        super().__init__()
        self.bot = CallBook()

    def handle(self, body: dict[str, Any]) -> None:
        self.bot.handle(body)

    def bot_state(self, call_id: str) -> str | None:
        return self.bot.state(call_id)


TestSampleBot = SampleBotConformance.TestCase
TestSampleBot.settings = settings(max_examples=30, stateful_step_count=60, deadline=None)
