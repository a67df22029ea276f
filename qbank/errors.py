"""Domain exceptions. Each carries the HTTP status that `error_pages` maps it to."""

from __future__ import annotations

from typing import Any


class QbankError(Exception):
    """Base of every domain error. `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationError(QbankError):
    status = 422


class NotFoundError(QbankError):
    status = 404


class PermissionDeniedError(QbankError):
    status = 403


class ConflictError(QbankError):
    status = 409


class InvalidTransitionError(ConflictError):
    pass


class NoEligibleItemsError(QbankError):
    status = 422
