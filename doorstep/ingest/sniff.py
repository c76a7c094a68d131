"""What a file is, by its first bytes rather than its name (pure)."""

from __future__ import annotations

from enum import Enum

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# An encrypted .xlsx is an OLE container holding the real workbook in this stream.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class Kind(Enum):
    EMPTY = "empty"
    ZIP = "zip"  # xlsx if it holds xl/workbook.xml (decided when opened)
    XLS = "xls"  # OLE without an encrypted package: .xls, WPS .et
    ENCRYPTED = "encrypted"
    CSV = "csv"
    OTHER = "other"


def sniff(data: bytes, file_name: str) -> Kind:
    if not data:
        return Kind.EMPTY
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return Kind.ZIP
    if data.startswith(OLE_MAGIC):
        return Kind.ENCRYPTED if ENCRYPTED_STREAM in data else Kind.XLS
    if file_name.lower().endswith(".csv") and b"\x00" not in data[:4096]:
        return Kind.CSV
    return Kind.OTHER
