"""callstate's exception types: each says what was wrong and where."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CallstateError",
    "CallstateWarning",
    "DefinitionError",
    "IllegalTransition",
    "ParseError",
    "UnknownValueWarning",
    "UsageError",
]


class CallstateError(Exception):
    """Base class of every error callstate raises on purpose."""


class ParseError(CallstateError, ValueError):
    """Graph JSON that cannot be read, located by a JSON pointer (and a line, when known)."""

    def __init__(
        self,
        message: str,
        *,
        pointer: str = "",
        line: int | None = None,
        call_id: str | None = None,
    ) -> None:
        self.message = message
        self.pointer = pointer
        self.line = line
        self.call_id = call_id
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.call_id is not None:
            where.append(f"call {self.call_id}")
        where.append(f"at {self.pointer or '/'}")
        return f"{' '.join(where)}: {self.message}"


class DefinitionError(CallstateError):
    """A machine definition that breaks one of the rules checked when it is built."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message
        super().__init__(f"[{rule}] {message}")


class IllegalTransition(CallstateError):
    """An event fired at a call in a state that has no transition for it."""

    def __init__(self, call_id: str | None, state: str, event: str, allowed: Sequence[str]) -> None:
        self.call_id = call_id
        self.state = state
        self.event = event
        self.allowed = tuple(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(
            f"call {call_id or '<no id>'}: event {event!r} is not allowed in state "
            f"{state!r}; allowed events: {allowed_text}"
        )


class UsageError(CallstateError, ValueError, TypeError):
    """An invalid argument to a public function, named by the argument.

    A ``ValueError`` and a ``TypeError`` both: a wrong value and a wrong type of argument
    (lines given as one whole text, an object that is no webhook body) are both misuse.
    """

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        #: What is wrong with it, without the argument's name.
        self.message = message
        super().__init__(f"{argument}: {message}")


class CallstateWarning(UserWarning):
    """Base class of callstate's warnings: accepted, but worth knowing."""


class UnknownValueWarning(CallstateWarning):
    """An enum value callstate does not know, read as ``unknownFutureValue``."""
