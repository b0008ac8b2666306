class ApplicationError(Exception):
    """A business rule refused the operation; the API maps `code` to an HTTP status."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class TransitionError(ApplicationError):
    status_code = 409
    code = "conflict"


class NotAllowed(ApplicationError):
    status_code = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
