"""Property test (hypothesis) of the webhook's and API's text fields (journey/serializers.py):
any text is a clean 400 or a storable value that the field gives back unchanged."""

import pytest
from hypothesis import given, settings
from rest_framework import serializers

from journey.serializers import BodyField, LineField, NormalisedEmailField
from tickets import text
from tickets.tests.test_text_properties import _storable, any_text, texts


@pytest.mark.django_db
@settings(max_examples=100, deadline=None)
@given(subject=texts, body=texts, email=any_text)
def test_the_webhook_fields_never_fail_on_any_text(subject, body, email):
    for field, value in [
        (LineField(), subject),
        (BodyField(), body),
        (NormalisedEmailField(), email),
    ]:
        try:
            out = field.to_internal_value(value)
        except serializers.ValidationError:
            continue  # blank, or not an address: a 400 naming the field
        _storable(out)
        assert len(out) <= 254 or not isinstance(field, NormalisedEmailField)
        if not text.looks_like_html(out):  # markup the sender wrote as text (test_text_properties)
            assert field.to_internal_value(out) == out
