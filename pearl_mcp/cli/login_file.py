"""Where ``pearl login`` keeps a session: ``credentials.json`` in PeaRL's config dir.

The file holds ``{"server", "email", "refresh_token"}``, never a password or
an access token. Its directory is ``PEARL_CONFIG_DIR`` or the platform's user
config dir (``platformdirs.user_config_dir("pearl")``), kept at mode 0700;
the file is 0600 and always replaced whole (written to a temp file beside it,
then ``os.replace``), so a crash never leaves half a token behind.

A refresh token works once: refreshing rotates it. :meth:`LoginFile.locked`
holds an exclusive lock on ``credentials.lock`` around a refresh and the write
of its rotated token, so two ``pearl token`` at once cannot present the same
token twice (the server would end the session, taking it for a stolen copy).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import platformdirs

from pearl_core import ConfigurationError, Unauthenticated

__all__ = ["CONFIG_DIR_ENV", "LoginFile", "StoredLogin"]

CONFIG_DIR_ENV: Final = "PEARL_CONFIG_DIR"
FILE_NAME: Final = "credentials.json"
_LOCK_NAME: Final = "credentials.lock"
_DIR_MODE: Final = 0o700
_FILE_MODE: Final = 0o600


@dataclass(frozen=True, slots=True)
class StoredLogin:
    """A signed-in session: who, where, and the refresh token that continues it."""

    server: str
    email: str
    refresh_token: str = field(repr=False)


class LoginFile:
    """The credentials file in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> LoginFile:
        """``PEARL_CONFIG_DIR``, or the platform's user config dir for ``pearl``."""
        configured = environ.get(CONFIG_DIR_ENV, "")
        return cls(Path(configured or platformdirs.user_config_dir("pearl")).expanduser())

    def load(self) -> StoredLogin:
        """The stored session; ``unauthenticated`` (``reason="not_logged_in"``) if none."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return StoredLogin(
                server=_text(data, "server"),
                email=_text(data, "email"),
                refresh_token=_text(data, "refresh_token"),
            )
        except FileNotFoundError:
            raise Unauthenticated(
                "not logged in: run pearl login", reason="not_logged_in"
            ) from None
        except (OSError, ValueError):
            raise Unauthenticated(
                f"{self.path} is unreadable: run pearl login again", reason="not_logged_in"
            ) from None

    def save(self, login: StoredLogin) -> None:
        """Replace the file with ``login`` (mode 0600, directory 0700), atomically;
        ``configuration_error`` naming ``PEARL_CONFIG_DIR`` if it cannot be written."""
        body = {"server": login.server, "email": login.email, "refresh_token": login.refresh_token}
        try:
            self._ensure_directory()
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".credentials-")
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                os.chmod(temporary, _FILE_MODE)  # mkstemp's mode already; say it anyway
                json.dump(body, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise self._unwritable(exc) from None
            raise

    def delete(self) -> bool:
        """Remove the file; False if there was none."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive credentials lock (released on exit; a no-op on Windows)."""
        if sys.platform == "win32":
            yield
            return
        import fcntl

        try:
            self._ensure_directory()
            descriptor = os.open(self.directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, _FILE_MODE)
        except OSError as exc:
            raise self._unwritable(exc) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _unwritable(self, exc: OSError) -> ConfigurationError:
        reason = exc.strerror or exc.__class__.__name__
        return ConfigurationError(
            f"cannot write {self.directory}: {reason}", setting=CONFIG_DIR_ENV
        )

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        os.chmod(self.directory, _DIR_MODE)


def _text(data: object, name: str) -> str:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise ValueError(name)
    return value
