"""A mail backend for a machine without a mail server (`make run`): every message is written
as its own `.eml` file under `EMAIL_FILE_PATH`, which any mail client opens as the customer
would see it, thread headers included."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: list[EmailMessage]) -> int:  # type: ignore[override]  # Sequence in the stubs
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            mime = message.message()
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            name = _UNSAFE.sub("_", str(mime["Message-ID"] or "").strip("<>"))[:80]
            (folder / f"{stamp}-{name}.eml").write_bytes(mime.as_bytes())
            sent += 1
        return sent
