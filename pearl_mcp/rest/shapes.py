"""Response bodies: the v1.1 contract's shape by default, PeaRL's full one on request.

PeaRL's entities extend the contract (packet leases, signatures, input
versions...), and the contract's schemas are closed, so a v1.1 client would
reject them. Contract operations therefore answer with the model minus its
``PEARL_EXTENSIONS`` fields (nested too) and minus ``None`` values
(:func:`contract_dump`), which the contract schemas accept; ``?view=pearl``
returns the whole model (``schema_version`` ``1.2``). PeaRL's own operations
always answer in the full shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel
from starlette.responses import JSONResponse

__all__ = ["View", "contract_dump", "full_dump", "items", "respond"]

View = Annotated[
    Literal["contract", "pearl"],
    Query(description="contract: the v1.1 shape (default); pearl: with PeaRL's extensions (1.2)."),
]


def _exclusions(model: BaseModel) -> dict[Any, Any]:
    exclude: dict[Any, Any] = dict.fromkeys(getattr(type(model), "PEARL_EXTENSIONS", ()), True)
    for name in type(model).model_fields:
        if name in exclude:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel) and (nested := _exclusions(value)):
            exclude[name] = nested
        elif isinstance(value, list):
            listed = {i: _exclusions(v) for i, v in enumerate(value) if isinstance(v, BaseModel)}
            if listed := {i: spec for i, spec in listed.items() if spec}:
                exclude[name] = listed
    return exclude


def contract_dump(model: BaseModel) -> dict[str, Any]:
    """``model`` as a v1.1 client reads it: no extension fields, no nulls."""
    return model.model_dump(mode="json", exclude=_exclusions(model), exclude_none=True)


def full_dump(model: BaseModel) -> dict[str, Any]:
    """``model`` with every PeaRL field (nulls left out)."""
    return model.model_dump(mode="json", exclude_none=True)


def respond(
    body: BaseModel | Mapping[str, Any],
    status: int = 200,
    *,
    view: Literal["contract", "pearl"] = "pearl",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON response of ``body`` in the asked ``view``."""
    if isinstance(body, BaseModel):
        content: Any = contract_dump(body) if view == "contract" else full_dump(body)
    else:
        content = dict(body)
    return JSONResponse(content, status, dict(headers or {}))


def items(models: Sequence[BaseModel] | Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A list answer: ``{"schema_version", "items": [...]}`` in the full shape."""
    listed = [full_dump(m) if isinstance(m, BaseModel) else dict(m) for m in models]
    return {"schema_version": "1.2", "items": listed}
