"""The screenshot demo customers send when an agent asks for one: a small PNG of an app screen
with an error banner, drawn here (no file in the repository, no download)."""

import struct
import zlib
from functools import cache


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@cache
def error_screenshot(width: int = 360, height: int = 640) -> bytes:
    """A phone-sized screen: a dark title bar, a red error banner, grey content lines."""
    rows = []
    for y in range(height):
        if y < 56:
            color = (24, 32, 56)
        elif 96 <= y < 160:
            color = (200, 40, 40)
        elif y >= 200 and (y - 200) % 40 < 14:
            color = (220, 224, 230)
        else:
            color = (250, 250, 252)
        rows.append(b"\x00" + bytes(color) * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )
