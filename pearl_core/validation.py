"""Turn caller input into models, or a ``validation_failed`` error with field paths.

Entrypoints call :func:`parse` (Python data) or :func:`parse_json` (wire bytes)
instead of ``model_validate`` so a pydantic ``ValidationError`` never escapes
as an untyped failure. Error details name fields and error types only; the
rejected input is not echoed back.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pearl_core.errors import ValidationFailed

__all__ = ["parse", "parse_json", "validation_failed"]

_M = TypeVar("_M", bound=BaseModel)


def validation_failed(model: type[BaseModel], exc: ValidationError) -> ValidationFailed:
    """A :class:`ValidationFailed` describing ``exc`` without echoing input."""
    problems = [
        {
            "field": ".".join(str(p) for p in err["loc"]) or "(root)",
            "type": err["type"],
            "message": err["msg"],
        }
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    first = problems[0]
    return ValidationFailed(
        f"invalid {model.__name__}: {first['field']}: {first['message']}",
        model=model.__name__,
        errors=problems,
    )


def parse(model: type[_M], data: Any) -> _M:
    """``model.model_validate(data)``, raising ``validation_failed`` on bad input."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(model, exc) from None


def parse_json(model: type[_M], data: str | bytes) -> _M:
    """``model.model_validate_json(data)``, raising ``validation_failed`` on bad input."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise validation_failed(model, exc) from None
