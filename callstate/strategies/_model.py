"""The reference model of one call's lines: what a validator must make of each.

The model reads each line the way the contract says (a call notification reports
one signal, or only carries data; requests and sub-resources do not move the call)
and walks the signals through the definition's compiled machine, with the
documented recovery rule: after a violation the call takes the state that arrived;
terminated stays terminated; an exact duplicate of the previous notification is
accepted. It interprets nothing itself: every step is the compiled machine's.
"""

from __future__ import annotations

import attrs

from callstate.graph.wire import read_change_type, read_resource, read_result, untimed
from callstate.machine.compiled import Compiled, Signal, compiled
from callstate.machine.definition import MachineDefinition
from callstate.simulate import JSONObject

__all__ = ["ModelLine", "StreamModel", "model_line"]


@attrs.frozen
class ModelLine:
    """One line of a call as the model sees it: ``tag`` says what it does to the call."""

    obj: object
    tag: str  # event, data, request, other (sub-resource, malformed), misplaced
    signal: Signal | None = None
    #: The line's ``(code, subcode)``: a result several kinds share stands for the kind
    #: whose step the state takes (:meth:`Compiled.sharing`).
    result: tuple[int | None, int | None] = (None, None)


def model_line(line: JSONObject, machine: Compiled) -> ModelLine:
    obj = untimed(line)
    if not isinstance(obj, dict):
        return ModelLine(obj, "other")
    if "request" in obj:
        return ModelLine(obj, "request")
    note = obj["value"][0]
    if read_resource(note).kind != "call":
        return ModelLine(obj, "other")
    data = note.get("resourceData") or {}
    code, subcode = read_result(data.get("resultInfo"), "/resourceData/resultInfo")
    state = data.get("state")
    if state is not None:
        state = machine.state_names.get(state) or machine.state_names.get(state.lower(), state)
    signal = machine.classify(
        state,
        deleted=read_change_type(note["changeType"], "/changeType") == "deleted" and state is None,
        code=code,
        subcode=subcode,
        termination_reason=data.get("terminationReason"),
    )
    return ModelLine(note, "data" if signal is None else "event", signal, (code, subcode))


class StreamModel:
    """Walks one call's lines through a definition's table the way the contract says."""

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition
        self.machine = compiled(definition)

    def refusals(self, lines: list[ModelLine]) -> tuple[list[int], list[str | None]]:
        """Indexes of the lines a validator must report, and the state after each line."""
        state: str | None = None
        last: object = None
        refused: list[int] = []
        states: list[str | None] = []
        for index, line in enumerate(lines):
            if state in self.definition.final and line.tag not in ("other", "request"):
                if line.obj != last:
                    refused.append(index)
            elif line.tag == "data":
                last = None
            elif line.tag == "misplaced":
                refused.append(index)
                last = None
            elif line.tag == "event" and line.signal is not None:
                event, kind = line.signal
                if state is None:
                    opening = self.machine.openings[line.signal]
                    state = opening.dest
                    last = line.obj if opening.remember or opening.ends else None
                else:
                    # The model follows no request: a shared result is the kind's that steps.
                    event, kind = self.machine.sharing(state, line.signal, None, *line.result)
                    step = self.machine.step(state, event, kind)
                    if step is None and last is not None and line.obj == last:
                        pass
                    elif step is not None and step.transition is None:
                        last = None
                    else:
                        if step is None:
                            refused.append(index)
                            step = self.machine.refused[(event, kind)]
                        state = step.dest
                        last = line.obj if step.remember or step.ends else None
            states.append(state)
        return refused, states
