"""A local APNs stand-in: HTTP/2 over TLS (ALPN "h2" only), served by the `h2` library's server
state machine in a thread per connection, with a self-signed certificate made for the test."""

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from pathlib import Path

import h2.config
import h2.connection
import h2.events
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "apns.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "apns-test.crt", directory / "apns-test.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class H2Server:
    """Records each request (pseudo-headers included, its body, which TCP connection and which
    ALPN protocol carried it) and answers from `answers`, a list of (status, headers, body);
    200 with an empty body when the list is empty."""

    def __init__(self, directory: Path):
        self.ca_file, key_file = self_signed(directory)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.ca_file, key_file)
        self.context.set_alpn_protocols(["h2"])
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._open: list[ssl.SSLSocket] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])

    def _accept(self) -> None:
        while not self._stopping:
            try:
                raw, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
            thread = threading.Thread(target=self._serve, args=(raw, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            return self.answers.pop(0) if self.answers else (200, {}, b"")

    def _serve(self, raw: socket.socket, number: int) -> None:
        try:
            sock = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        alpn = sock.selected_alpn_protocol()
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        streams: dict[int, dict] = {}
        done = False
        with self._lock:
            self._open.append(sock)
        try:
            while not self._stopping:
                data = sock.recv(65535)
                if not data:
                    break
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers = {
                            (k.decode() if isinstance(k, bytes) else k): (
                                v.decode() if isinstance(v, bytes) else v
                            )
                            for k, v in event.headers or []
                        }
                        streams[event.stream_id] = {"headers": headers, "body": b""}
                    elif isinstance(event, h2.events.DataReceived):
                        streams[event.stream_id]["body"] += event.data or b""
                        conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded):
                        request = streams.pop(event.stream_id)
                        request.update(connection=number, alpn=alpn)
                        with self._lock:
                            self.requests.append(request)
                        status, extra, body = self._answer()
                        headers = [(":status", str(status)), ("content-length", str(len(body)))]
                        headers += [(k.lower(), v) for k, v in extra.items()]
                        conn.send_headers(event.stream_id, headers, end_stream=not body)
                        if body:
                            conn.send_data(event.stream_id, body, end_stream=True)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        done = True
                sock.sendall(conn.data_to_send())
                if done:
                    break
        except (OSError, ssl.SSLError):
            pass
        finally:
            sock.close()

    def close(self) -> None:
        self._stopping = True
        self._sock.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self._threads:
            thread.join(timeout=2)
