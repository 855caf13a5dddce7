"""What an uploaded image is, read from its own bytes, never from its name or declared type.

Only PNG, JPEG and GIF are taken: the types every blog editor and mail reader shows, none of
which runs script (SVG would). The header is read far enough to know the width and height, so a
file that only starts like an image, or claims an absurd size, is refused.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.links import site_url

#: The largest side, in pixels, of an image we keep: a QR code or a logo needs far less.
MAX_SIDE = 4096


@dataclass(frozen=True)
class ImageKind:
    extension: str
    content_type: str
    width: int
    height: int


def _png(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def _gif(data: bytes) -> tuple[int, int] | None:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    return struct.unpack("<HH", data[6:10])


_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """The size from the first start-of-frame segment, walking the segments from the start."""
    if data[:3] != b"\xff\xd8\xff":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _JPEG_FRAMES:
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if length < 2:
            return None
        i += 2 + length
    return None


_READERS = (("png", "image/png", _png), ("jpg", "image/jpeg", _jpeg), ("gif", "image/gif", _gif))


def read_image(data: bytes) -> ImageKind:
    """The kind and size of the image ``data``; ``InvalidInput`` saying why it is refused."""
    limit = settings.PUBLICATION_UPLOAD_MAX_BYTES
    if not data:
        raise InvalidInput(gettext("The file is empty."), field="file")
    if len(data) > limit:
        raise InvalidInput(
            gettext("The image is too large: at most %(limit)d KB.") % {"limit": limit // 1024},
            field="file",
        )
    for extension, content_type, reader in _READERS:
        size = reader(data)
        if size is None:
            continue
        width, height = size
        if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
            raise InvalidInput(
                gettext("The image must be at most %(side)d pixels wide and high.")
                % {"side": MAX_SIDE},
                field="file",
            )
        return ImageKind(extension, content_type, width, height)
    raise InvalidInput(gettext("Upload a PNG, JPEG or GIF image."), field="file")


def upload_url(upload: Any) -> str:
    """An upload's address on the site, absolute, to paste into a text that leaves the site."""
    return site_url(reverse("uploads:upload", args=[upload.token, upload.extension]))
