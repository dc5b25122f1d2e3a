"""The domain's refusals: one base class, translated to the contract's JSON error in addon.errors.

The domain knows no HTTP: a class says what kind of refusal it is (bad input, over a limit, not
found), addon.errors maps the kind to a status. `code` is the machine-readable `error` of the
answer, `details` the list of each problem where there are several.
"""
from __future__ import annotations


class DomainError(Exception):
    """A request the domain's rules refuse; nothing was changed."""

    code = "bad_request"

    def __init__(self, message: str, details: list[str] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or None
        if code is not None:
            self.code = code


class InvalidInput(DomainError, ValueError):
    """The input breaks a rule (400)."""


class TooLarge(DomainError):
    """The input is over one of the contract's limits (413)."""

    code = "payload_too_large"


class NotFound(DomainError):
    """The input names something the tenant does not have (404)."""

    code = "not_found"
