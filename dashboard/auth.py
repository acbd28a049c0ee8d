"""Who may load data from the browser: the administrator sign-in.

The "Load data" page changes the database, so it exists only where an administrator can
sign in, in one of two ways configured in ``.streamlit/secrets.toml`` (never committed):

1. **Single sign-on (OIDC)**, when an ``[auth]`` section configures a provider for
   ``st.login`` (see Streamlit's authentication docs).  Signing in is not enough: the
   person's e-mail address must also be listed as an administrator::

       [auth]
       redirect_uri = "https://lmi.example.org/oauth2callback"
       cookie_secret = "...a long random string..."
       client_id = "..."
       client_secret = "..."
       server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

       [admin]
       emails = ["data.steward@example.org"]

2. **A shared administrator password**, when ``[admin] password_hash`` is set.  Only the
   hash is stored; make one with ``python -m dashboard.auth hash-password`` and paste the
   line it prints under ``[admin]``::

       [admin]
       password_hash = "scrypt$16384$8$1$<salt, base64>$<key, base64>"

   Format: ``scrypt$N$r$p$salt$key`` with hashlib.scrypt parameters N, r, p, a random
   16-byte salt and a 32-byte key, both base64.  A password typed on the page is hashed
   the same way and compared in constant time (hmac.compare_digest).  Repeated wrong
   passwords are slowed down per session and across the server.

With neither, ``admin_configured()`` is false and the app leaves the page out of its
navigation altogether.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys
import threading
import time
from collections import deque

SCHEME = "scrypt"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
KEY_BYTES = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 12
# Cost bounds accepted from a stored hash: a typo in secrets.toml must not freeze the server.
MAX_N, MAX_R, MAX_P = 2**20, 32, 16

SESSION_FLAG = "_lmi_admin_password_ok"
SESSION_FAILURES = "_lmi_admin_failures"
MAX_SESSION_FAILURES = 5          # then the session must wait LOCKOUT_SECONDS per attempt
LOCKOUT_SECONDS = 30
SERVER_FAILURES_PER_MINUTE = 30   # across all sessions: guessing from many tabs is throttled too

_server_failures: deque[float] = deque()
_server_lock = threading.Lock()


class HashFormatError(ValueError):
    """The stored hash does not follow ``scrypt$N$r$p$salt$key``."""


# ----------------------------------------------------------------------------- hashing
def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=128 * r * (n + p + 2) + 1024 * 1024)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A storable hash of ``password``: ``scrypt$N$r$p$salt$key``."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(key)}"


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = str(stored).strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise HashFormatError("expected scrypt$N$r$p$salt$key (make one with: python -m dashboard.auth hash-password)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError as exc:
        raise HashFormatError(f"cannot read the hash: {exc}") from None
    if not (1 < n <= MAX_N and n & (n - 1) == 0 and 0 < r <= MAX_R and 0 < p <= MAX_P):
        raise HashFormatError("scrypt parameters out of range (N a power of two up to 2^20, r <= 32, p <= 16)")
    if len(salt) < 8 or len(key) < 16:
        raise HashFormatError("salt or key too short")
    return n, r, p, salt, key


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; the comparison takes constant time."""
    try:
        n, r, p, salt, key = parse_hash(stored)
    except HashFormatError:
        return False
    candidate = _scrypt(password, salt, n, r, p, len(key))
    return hmac.compare_digest(candidate, key)


# ----------------------------------------------------------------------------- configuration
def _secrets() -> dict:
    """The app's secrets as a plain dict; empty when there is no secrets.toml."""
    import streamlit as st

    try:
        return st.secrets.to_dict()
    except Exception:   # StreamlitSecretNotFoundError, or a secrets.toml that does not parse
        return {}


def _admin_section() -> dict:
    section = _secrets().get("admin")
    return section if isinstance(section, dict) else {}


def oidc_provider() -> str | None | bool:
    """The provider to pass to ``st.login``: None for the default ``[auth]`` provider, a name
    for ``[auth.<name>]``, or False when no OIDC provider is configured."""
    auth = _secrets().get("auth")
    if not isinstance(auth, dict):
        return False
    if auth.get("client_id"):
        return None
    for name, value in auth.items():
        if isinstance(value, dict) and value.get("client_id"):
            return name
    return False


def oidc_configured() -> bool:
    return oidc_provider() is not False


def admin_emails() -> set[str]:
    emails = _admin_section().get("emails") or []
    if isinstance(emails, str):
        emails = [emails]
    return {str(e).strip().lower() for e in emails if str(e).strip()}


def password_hash() -> str | None:
    stored = _admin_section().get("password_hash")
    return str(stored) if stored else None


def password_configured() -> bool:
    return password_hash() is not None


def admin_configured() -> bool:
    """Whether anyone could sign in as administrator (else the Load data page is absent)."""
    return oidc_configured() or password_configured()


# ----------------------------------------------------------------------------- session
def signed_in_email() -> str | None:
    import streamlit as st

    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or "").strip().lower() or None
    except Exception:   # st.user unavailable (no auth configured, or an old session)
        return None
    return None


def is_admin() -> bool:
    """True when this session belongs to a signed-in administrator."""
    import streamlit as st

    if oidc_configured():
        email = signed_in_email()
        return email is not None and email in admin_emails()
    if password_configured():
        return st.session_state.get(SESSION_FLAG) is True
    return False


def _server_throttled(now: float) -> bool:
    with _server_lock:
        while _server_failures and now - _server_failures[0] > 60:
            _server_failures.popleft()
        return len(_server_failures) >= SERVER_FAILURES_PER_MINUTE


def _record_server_failure(now: float) -> None:
    with _server_lock:
        _server_failures.append(now)


def check_password(password: str) -> tuple[bool, str]:
    """Try a password for this session: (signed in?, message to show)."""
    import streamlit as st

    stored = password_hash()
    if stored is None:
        return False, "Password sign-in is not configured."
    now = time.monotonic()
    failures = st.session_state.get(SESSION_FAILURES, [])
    recent = [t for t in failures if now - t < LOCKOUT_SECONDS]
    if len(failures) >= MAX_SESSION_FAILURES and recent:
        return False, f"Too many wrong passwords. Wait {LOCKOUT_SECONDS} seconds and try again."
    if _server_throttled(now):
        return False, "Too many wrong passwords on this server. Wait a minute and try again."
    try:
        parse_hash(stored)
    except HashFormatError as exc:
        return False, f"The administrator password in secrets.toml is not usable: {exc}."
    if verify_password(password, stored):
        st.session_state[SESSION_FLAG] = True
        st.session_state[SESSION_FAILURES] = []
        return True, "Signed in as administrator."
    st.session_state[SESSION_FAILURES] = [*failures, now][-MAX_SESSION_FAILURES:]
    _record_server_failure(now)
    return False, "Wrong password."


def sign_out() -> None:
    import streamlit as st

    st.session_state.pop(SESSION_FLAG, None)
    if oidc_configured() and signed_in_email():
        st.logout()


# ----------------------------------------------------------------------------- command line
def _cli(argv: list[str]) -> int:
    usage = ("usage: python -m dashboard.auth hash-password\n"
             "  Prompts for the administrator password (or reads one line from standard input)\n"
             "  and prints the line to put under [admin] in .streamlit/secrets.toml.")
    if argv != ["hash-password"]:
        print(usage, file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("Administrator password: ")
        if getpass.getpass("Again: ") != password:
            print("The two passwords differ; nothing written.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Use at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return 1
    print("# .streamlit/secrets.toml")
    print("[admin]")
    print(f'password_hash = "{hash_password(password)}"')
    return 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
