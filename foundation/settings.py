"""Settings: built once where the program starts, then passed down as a parameter.

Nothing below the CLI and the flows reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(RuntimeError):
    """A setting the pipeline cannot start without is missing or wrong."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", extra="ignore")

    home: Path = Field(default=Path("data"), description="Where all state lives (DOORSTEP_HOME).")
    pseudonym_key: SecretStr | None = Field(
        default=None,
        description="HMAC key for person pseudonyms (DOORSTEP_PSEUDONYM_KEY). Keep it outside git.",
    )
    holdback_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Hold back a return whose share of bad rows exceeds this.",
    )
    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 512 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 100_000
    max_columns: int = 200
    parse_timeout_seconds: float = 120.0
    gx_retention_nights: int = Field(
        default=90,
        ge=1,
        description="Keep GX validation results and Data Docs of this many nights "
        "(DOORSTEP_GX_RETENTION_NIGHTS); older ones are deleted each night.",
    )

    # Paths derived from home: one place that knows the layout of DOORSTEP_HOME.
    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def analyst_db(self) -> Path:
        return self.home / "doorstep.duckdb"

    @property
    def private_dir(self) -> Path:
        return self.home / "private"

    @property
    def private_db(self) -> Path:
        return self.private_dir / "doorstep_private.duckdb"

    @property
    def bulletins(self) -> Path:
        return self.home / "bulletins"

    @property
    def feedback(self) -> Path:
        return self.home / "feedback"

    @property
    def docs(self) -> Path:
        return self.home / "docs"

    @property
    def gx_dir(self) -> Path:
        return self.home / "gx"

    @property
    def demo_key_file(self) -> Path:
        return self.private_dir / "demo-pseudonym.key"

    def require_key(self) -> bytes:
        """The pseudonym key, or a clear error before any return is read."""
        if self.pseudonym_key is not None and self.pseudonym_key.get_secret_value():
            key = self.pseudonym_key.get_secret_value()
        elif self.demo_key_file.exists():
            key = self.demo_key_file.read_text(encoding="utf-8").strip()
        else:
            raise SettingsError(
                "No pseudonym key: set DOORSTEP_PSEUDONYM_KEY to a long random secret kept outside "
                "the repository (e.g. `export DOORSTEP_PSEUDONYM_KEY=$(python -c 'import secrets; "
                "print(secrets.token_hex(32))')`), or run `doorstep demo`, which creates a demo key "
                f"in {self.demo_key_file}."
            )
        if len(key) < 32:
            raise SettingsError("DOORSTEP_PSEUDONYM_KEY is too short: use at least 32 characters.")
        return key.encode("utf-8")
