"""The pseudonym key a warehouse was made with, and rotating it.

Every person key is HMAC-SHA256 of an ID number under DOORSTEP_PSEUDONYM_KEY, so a run
under another key would count every person again. The private DB keeps a fingerprint
of its key (`raw.pseudonym_key`, see `transforms.pseudonym.key_fingerprint`); a run
under another key refuses to start, and `doorstep rekey` changes keys on purpose.
"""

from __future__ import annotations

from pathlib import Path

from foundation.settings import Settings, SettingsError

MIN_KEY_LENGTH = 32


class KeyMismatchError(SettingsError):
    """The configured key is not the one the private DB's person keys were made with."""


def _mismatch(settings: Settings, why: str) -> KeyMismatchError:
    return KeyMismatchError(
        f"DOORSTEP_PSEUDONYM_KEY is not the key the warehouse {settings.private_db} was made "
        f"with ({why}); nothing was read or changed. Set DOORSTEP_PSEUDONYM_KEY to the key "
        "used so far. To change the key on purpose, keep the old key set and run "
        "`doorstep rekey --new-key-file FILE` (FILE holds the new key), then set "
        "DOORSTEP_PSEUDONYM_KEY to the new key."
    )


def require_known_key(settings: Settings) -> bytes:
    """The pseudonym key, checked against the private DB's fingerprint without changing
    anything: the first thing a run does."""
    from warehouse.pseudonyms import KeyMismatch, check_key

    key = settings.require_key()
    try:
        check_key(settings.private_db, key)
    except KeyMismatch as exc:
        raise _mismatch(settings, str(exc)) from None
    return key


def read_key_file(path: Path) -> bytes:
    """A key from a file (surrounding whitespace dropped): never from an argument, which
    would end up in shell history and process listings."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"cannot read the new key file {path}: {exc.strerror}") from None
    if len(key) < MIN_KEY_LENGTH:
        raise SettingsError(
            f"the new key in {path} is too short: use at least {MIN_KEY_LENGTH} characters"
        )
    return key.encode("utf-8")


def rotate_key(settings: Settings, new_key: bytes) -> int:
    """Re-key every person of the private DB from the configured (old) key to `new_key` and
    store the new fingerprint, in one transaction. Returns the number of persons re-keyed.
    The analyst DB keeps the old keys until the next run or publish rebuilds it."""
    from warehouse.db import connect_private
    from warehouse.pseudonyms import KeyMismatch, rekey

    old_key = settings.require_key()
    if new_key == old_key:
        raise SettingsError("the new key is the key in use: nothing to rotate")
    if not settings.private_db.exists():
        raise SettingsError(f"no warehouse at {settings.private_db}: nothing to re-key")
    require_known_key(settings)
    con = connect_private(settings.private_db)
    try:
        return rekey(con, old_key, new_key)
    except KeyMismatch as exc:
        raise _mismatch(settings, str(exc)) from None
    finally:
        con.close()
