"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
#: Shorter passwords are refused when a user is created.
MIN_PASSWORD_LENGTH = 10
#: Verified against when the user name is unknown, so both paths cost the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    """An Argon2id hash with a random salt."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing user still pays for one verification."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused (Chinese, for the page or the command line), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符"
    if password.isdigit() or password.isalpha():
        return "密码需要同时包含字母和数字或符号"
    return None
