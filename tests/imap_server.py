"""A real IMAP server for the tests: Debian's Dovecot (`dovecot-imapd`, which `make test` installs
like Chromium), started from a generated configuration in a temporary directory on a free port
of 127.0.0.1, with one password for every user and Maildir mailboxes; stopped after."""

import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "imap-test-secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = helpdesk-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
"""


@dataclass
class ImapServer:
    port: int
    root: Path
    host: str = "127.0.0.1"
    password: str = PASSWORD

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """A message into `user`'s folder, as the mail server's delivery would put it."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(user, self.password)
            if folder != "INBOX":
                client.create(folder)
            status, answer = client.append(folder, None, None, raw)
            assert status == "OK", answer
        finally:
            client.logout()

    def recreate(self, user: str) -> None:
        """The user's INBOX removed from disk: Dovecot numbers it anew (a new UIDVALIDITY, which
        is the time in seconds: a second passes first)."""
        time.sleep(1.1)
        shutil.rmtree(self.root / "mail" / user, ignore_errors=True)

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> ImapServer:
    if not os.path.exists(DOVECOT):
        raise RuntimeError(
            f"{DOVECOT} is missing: apt-get install -y dovecot-imapd (make test does)"
        )
    root = Path(tempfile.mkdtemp(prefix="imap-", dir="/tmp"))  # short: unix sockets live there
    (root / "mail").mkdir()
    port = _free_port()
    if os.geteuid() == 0:  # Dovecot runs nothing as root: its own users, mail as nobody
        internal, internal_group, login = "dovecot", "dovecot", "dovenull"
        uid, gid = 65534, 65534
        os.chown(root / "mail", uid, gid)
        os.chmod(root, 0o755)
    else:
        import grp
        import pwd

        internal = login = pwd.getpwuid(os.getuid()).pw_name
        internal_group = grp.getgrgid(os.getgid()).gr_name
        uid, gid = os.getuid(), os.getgid()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=port,
            password=PASSWORD,
            internal=internal,
            internal_group=internal_group,
            login=login,
            uid=uid,
            gid=gid,
        )
    )
    subprocess.run(
        [DOVECOT, "-c", str(config)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
    )
    server = ImapServer(port=port, root=root)
    deadline = time.monotonic() + 15
    while True:
        try:
            client = imaplib.IMAP4(server.host, port, timeout=2)
            client.logout()
            return server
        except OSError:
            if time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                server.stop()
                raise RuntimeError(f"Dovecot did not come up on port {port}:\n{log[-2000:]}")
            time.sleep(0.1)
