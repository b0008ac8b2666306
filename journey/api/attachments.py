"""`GET /api/v1/attachments/{id}/`: a file of a ticket the caller may see (404 otherwise, and for
a customer any file of an internal note), always as a download: `Content-Disposition:
attachment`, `X-Content-Type-Options: nosniff`, HTML and SVG as plain bytes, and a sandboxing
Content-Security-Policy in case a browser renders it anyway."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from core.api.base import ApiView
from core.exceptions import NotFound
from tickets.models import Attachment
from tickets.selectors import attachment_get
from tickets.services.attachments import served_type


def attachment_response(attachment: Attachment) -> FileResponse:
    """The download of a file the caller was allowed to see (the access check is the caller's)."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound("The file is no longer stored.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=served_type(attachment)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=0"
    return response


class AttachmentDownloadApi(ApiView):
    @extend_schema(
        operation_id="attachments_download",
        responses={
            # The file's sniffed type (image/png, application/pdf, text/plain, ...); markup and
            # scripts as application/octet-stream (tickets/services/attachments.py: served_type).
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="No such file, or not the caller's to see."),
        },
        description="The file as a download (`Content-Disposition: attachment`, nosniff), with "
        "the same access as its ticket. Its type is the one sniffed from its first bytes; HTML, "
        "SVG, XML and scripts are served as application/octet-stream.",
    )
    def get(self, request, attachment_id: str):
        attachment = attachment_get(user=request.user, attachment_id=attachment_id)
        if attachment is None:
            raise NotFound("Attachment not found.")
        return attachment_response(attachment)
