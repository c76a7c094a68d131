"""Settings: where the pseudonym key comes from, and DOORSTEP_HOME as the root of all state."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from foundation.settings import Settings, SettingsError

ENV_KEY = "env-key-0123456789abcdef0123456789abcdef"
FILE_KEY = "file-key-fedcba9876543210fedcba9876543210"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the developer's shell exports must not leak into these tests."""
    for name in (
        "DOORSTEP_HOME",
        "DOORSTEP_PSEUDONYM_KEY",
        "DOORSTEP_ON_TIME_DAY",
        "DOORSTEP_HOLDBACK_SHARE",
    ):
        monkeypatch.delenv(name, raising=False)


def _write_demo_key(settings: Settings, key: str) -> None:
    settings.private_dir.mkdir(parents=True, exist_ok=True)
    settings.demo_key_file.write_text(key + "\n", encoding="utf-8")


def test_key_from_environment_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", ENV_KEY)
    settings = Settings(home=tmp_path)
    assert settings.require_key() == ENV_KEY.encode()


def test_environment_key_wins_over_demo_key_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", ENV_KEY)
    settings = Settings(home=tmp_path)
    _write_demo_key(settings, FILE_KEY)
    assert settings.require_key() == ENV_KEY.encode()


def test_demo_key_file_is_used_without_environment_key(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    _write_demo_key(settings, FILE_KEY)
    # The file's trailing newline is not part of the key.
    assert settings.require_key() == FILE_KEY.encode()


def test_missing_key_names_the_variable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with pytest.raises(SettingsError, match="DOORSTEP_PSEUDONYM_KEY") as caught:
        settings.require_key()
    assert "doorstep demo" in str(caught.value)
    # Asking for the key creates nothing.
    assert list(tmp_path.iterdir()) == []


def test_empty_environment_key_counts_as_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", "")
    with pytest.raises(SettingsError, match="No pseudonym key"):
        Settings(home=tmp_path).require_key()


@pytest.mark.parametrize("key", ["s3cr3t", "x" * 31])
def test_short_environment_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str
) -> None:
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", key)
    with pytest.raises(SettingsError, match="too short") as caught:
        Settings(home=tmp_path).require_key()
    assert key not in str(caught.value)


def test_key_of_exactly_32_characters_is_accepted(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, pseudonym_key=SecretStr("k" * 32))
    assert settings.require_key() == b"k" * 32


def test_short_demo_key_file_is_refused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    _write_demo_key(settings, "short")
    with pytest.raises(SettingsError, match="too short"):
        settings.require_key()


def test_key_is_not_shown_in_settings_repr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOORSTEP_PSEUDONYM_KEY", ENV_KEY)
    settings = Settings(home=tmp_path)
    assert ENV_KEY not in repr(settings)
    assert ENV_KEY not in str(settings.model_dump())


def _derived_paths(settings: Settings) -> dict[str, Path]:
    """Every Path-valued property of Settings: a new one is checked without editing this test."""
    paths = {}
    for name, member in vars(Settings).items():
        if isinstance(member, property):
            value = getattr(settings, name)
            if isinstance(value, Path):
                paths[name] = value
    return paths


def test_doorstep_home_drives_every_derived_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "somewhere" / "home"
    monkeypatch.setenv("DOORSTEP_HOME", str(home))
    settings = Settings()
    assert settings.home == home
    paths = _derived_paths(settings)
    expected = {
        "inbox",
        "analyst_db",
        "private_dir",
        "private_db",
        "bulletins",
        "feedback",
        "gx_dir",
        "demo_key_file",
    }
    assert expected <= set(paths)
    outside = {name: p for name, p in paths.items() if not p.is_relative_to(home)}
    assert outside == {}
    # The personal data and the key stay in private/, the analyst DB outside it.
    assert settings.private_db.is_relative_to(settings.private_dir)
    assert settings.demo_key_file.is_relative_to(settings.private_dir)
    assert not settings.analyst_db.is_relative_to(settings.private_dir)


def test_default_home_is_data_folder() -> None:
    assert Settings().home == Path("data")
    assert Settings().inbox == Path("data") / "inbox"


def test_numeric_settings_come_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOORSTEP_HOLDBACK_SHARE", "0.25")
    monkeypatch.setenv("DOORSTEP_GX_RETENTION_NIGHTS", "7")
    settings = Settings()
    assert (settings.holdback_share, settings.gx_retention_nights) == (0.25, 7)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DOORSTEP_GX_RETENTION_NIGHTS", "0"),
        ("DOORSTEP_HOLDBACK_SHARE", "0"),
        ("DOORSTEP_HOLDBACK_SHARE", "1.5"),
    ],
)
def test_out_of_range_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
