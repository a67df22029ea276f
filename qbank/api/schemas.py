"""Marshmallow schemas shared by several API modules."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    error = fields.String(required=True)
    code = fields.String()
    message = fields.String(required=True)
    details = fields.Dict()
