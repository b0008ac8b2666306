"""Serializer helpers shared by the API's views."""

import threading

from django.utils.functional import cached_property
from rest_framework import serializers


class SharedFieldsMixin(serializers.Serializer):
    """Build an input serializer's bound fields once per thread, not once per request.

    DRF deep-copies every declared field (and every nested serializer's fields) for each new
    serializer instance; for the ingestion webhook's body that copying was two thirds of
    validating it. Fields hold no per-request state during validation (values and errors live in
    the serializer's own `initial_data`, `_validated_data` and `_errors`), so an input serializer
    that uses no `context` and no `partial` can share one bound set per thread and class."""

    _shared = threading.local()

    @cached_property
    def fields(self):
        by_class = self._shared.__dict__.setdefault("by_class", {})
        fields = by_class.get(type(self))
        if fields is None:
            fields = by_class[type(self)] = super().fields
        return fields
