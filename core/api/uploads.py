"""Reading a `multipart/form-data` request (files beside form fields) safely: the declared size
checked before anything is read (413), files over a threshold spooled to disk, not memory."""

from django.conf import settings
from rest_framework.parsers import MultiPartParser

from .jsonbody import PayloadTooLarge, api_max_bytes, declared_length


def multipart_max_bytes() -> int:
    """The largest form: every file at its limit, plus the fields."""
    files = settings.HELPDESK_ATTACHMENT_MAX_BYTES * settings.HELPDESK_ATTACHMENT_MAX_FILES
    return files + api_max_bytes()


class LimitedMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing a body whose declared length is over the limit (413)
    before reading it; each file's own limit is checked by the service that stores it."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = declared_length(request.META) if request is not None else None
        limit = multipart_max_bytes()
        if declared is not None and declared > limit:
            raise PayloadTooLarge(f"The request body is over {limit} bytes.")
        return super().parse(stream, media_type, parser_context)
