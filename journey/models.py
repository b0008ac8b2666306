"""The journey's own records: the IMAP mailboxes it reads customers' mail from."""

from django.db import models


class Mailbox(models.Model):
    """An IMAP mailbox the help desk reads mail from, for teams with neither a mail pipe nor an
    inbound-mail provider. Read by UID: `last_uid` advances in the same transaction as the
    ticket or comment each message becomes, so a crash re-reads nothing twice and skips nothing.
    The password is never stored: it comes from `HELPDESK_IMAP_PASSWORD_<SLUG>`."""

    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Names the password's environment variable: HELPDESK_IMAP_PASSWORD_<SLUG> "
        "(capitals, '-' as '_').",
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField("SSL/TLS", default=True)
    username = models.CharField(max_length=255)
    folder = models.CharField(max_length=255, default="INBOX")
    enabled = models.BooleanField(default=True)
    uid_validity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"

    @property
    def password_variable(self) -> str:
        return "HELPDESK_IMAP_PASSWORD_" + self.slug.upper().replace("-", "_")
