"""The one way an operation says no: `Refused`, with what is wrong by field."""

from __future__ import annotations


class Refused(Exception):
    """A change the rules do not allow, said for people. `errors` maps field names to what is
    wrong with them; the key "" holds what is wrong with the change as a whole ("A published
    event cannot be deleted"). `Refused("...")` is such a whole-change refusal."""

    def __init__(self, errors: str | dict[str, str]) -> None:
        self.errors = {"": errors} if isinstance(errors, str) else dict(errors)
        super().__init__(
            "; ".join(text if not name else f"{name}: {text}" for name, text in self.errors.items())
        )
