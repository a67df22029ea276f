"""Account rules: creating users, signing in with lockout, roles, API tokens, the audit log.

Services flush but never commit; the acting user is always a parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbank.accounts.models import ApiToken, AuditEvent, Role, User, UserRole
from qbank.db import utcnow
from qbank.errors import NotFoundError, QbankError, ValidationError
from qbank.syllabus.models import Level, Specialty

_hasher = PasswordHasher()


def configure_hasher(time_cost: int | None = None, memory_kib: int | None = None) -> None:
    """Argon2 cost, from the configuration (tests use a cheap one; production the defaults).
    Hashes made with other costs still verify, and are upgraded at the next sign-in."""
    global _hasher
    default = PasswordHasher()
    _hasher = PasswordHasher(
        time_cost=time_cost or default.time_cost, memory_cost=memory_kib or default.memory_cost
    )


USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 8


class AuthenticationError(QbankError):
    status = 401


class AccountLockedError(AuthenticationError):
    status = 429


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password_too_short", field="password", minimum=MIN_PASSWORD)
    if username and password.lower() == username.lower():
        raise ValidationError("password_is_username", field="password")


def record_event(
    session: Session, actor: User | None, action: str, target: str = "", detail: str = ""
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target=target[:200],
        detail=detail[:2000],
        at=utcnow(),
    )
    session.add(event)
    return event


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user_not_found", user_id=user_id)
    return user


def _check_track(session: Session, specialty: str | None, level: str | None) -> None:
    if specialty is not None and session.get(Specialty, specialty) is None:
        raise ValidationError("unknown_specialty", field="specialty", value=specialty)
    if level is not None and session.get(Level, level) is None:
        raise ValidationError("unknown_level", field="level", value=level)


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str = "",
    roles: Iterable[Role] = (Role.LEARNER,),
    specialty: str | None = None,
    level: str | None = None,
    email: str | None = None,
    actor: User | None = None,
) -> User:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise ValidationError("invalid_username", field="username")
    if find_user(session, username) is not None:
        raise ValidationError("username_taken", field="username")
    validate_password(password, username)
    _check_track(session, specialty, level)
    user = User(
        username=username,
        display_name=(display_name or username).strip()[:100],
        email=(email or None),
        password_hash=hash_password(password),
        specialty_code=specialty,
        level_code=level,
    )
    user.role_rows = [UserRole(role=Role(r).value) for r in sorted(set(roles))]
    session.add(user)
    session.flush()
    record_event(
        session,
        actor or user,
        "user.create",
        f"user:{user.id}",
        "roles=" + ",".join(sorted(r.value for r in user.roles)),
    )
    return user


def register_learner(
    session: Session, username: str, password: str, display_name: str, specialty: str, level: str
) -> User:
    if not specialty or not level:
        raise ValidationError("track_required", field="specialty")
    return create_user(
        session,
        username,
        password,
        display_name=display_name,
        roles=[Role.LEARNER],
        specialty=specialty,
        level=level,
    )


def set_roles(session: Session, user: User, roles: Iterable[Role], actor: User) -> None:
    new = {Role(r) for r in roles}
    if user.id == actor.id and Role.ADMIN not in new and Role.ADMIN in user.roles:
        raise ValidationError("cannot_drop_own_admin", field="roles")
    old = user.roles
    if new == old:
        return
    user.role_rows = [row for row in user.role_rows if Role(row.role) in new]
    for r in sorted(new - old):
        user.role_rows.append(UserRole(role=r.value))
    session.flush()
    record_event(
        session,
        actor,
        "user.roles",
        f"user:{user.id}",
        f"{','.join(sorted(old))} -> {','.join(sorted(new))}",
    )


def set_enabled(session: Session, user: User, enabled: bool, actor: User) -> None:
    if user.id == actor.id and not enabled:
        raise ValidationError("cannot_disable_self", field="enabled")
    if user.is_enabled != enabled:
        user.is_enabled = enabled
        user.session_version += 1
        record_event(
            session, actor, "user.enable" if enabled else "user.disable", f"user:{user.id}"
        )


def update_track(session: Session, user: User, specialty: str, level: str) -> None:
    _check_track(session, specialty, level)
    user.specialty_code, user.level_code = specialty, level


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password(user, current):
        raise ValidationError("wrong_password", field="current")
    validate_password(new, user.username)
    user.password_hash = hash_password(new)
    user.session_version += 1  # sign out every other session
    record_event(session, user, "user.password", f"user:{user.id}")


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    max_failures: int,
    lockout: dt.timedelta,
    now: dt.datetime | None = None,
) -> User:
    """The user, or AuthenticationError. After `max_failures` wrong passwords in a row the
    account is locked for `lockout`; the same error is given for unknown users."""
    now = now or utcnow()
    user = find_user(session, username.strip())
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise AuthenticationError("bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLockedError("account_locked", until=user.locked_until.isoformat())
    if not check_password(user, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            record_event(session, user, "user.locked", f"user:{user.id}")
        raise AuthenticationError("bad_credentials")
    if not user.is_enabled:
        raise AuthenticationError("account_disabled")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def load_session_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's user loader: 'id:version' must match the stored version."""
    try:
        raw_id, raw_version = session_id.split(":", 1)
        user = session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version or not user.is_enabled:
        return None
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(
    session: Session, user: User, name: str = "api", ttl: dt.timedelta = dt.timedelta(days=30)
) -> tuple[str, ApiToken]:
    token = "qb_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, token_hash=_token_digest(token), name=name[:100], expires_at=utcnow() + ttl
    )
    session.add(row)
    session.flush()
    return token, row


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    now = utcnow()
    if row is None or row.revoked or row.expires_at <= now or not row.user.is_enabled:
        return None
    # remember use to the minute: not a database write on every request of a busy client
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
    return row.user


def revoke_api_token(session: Session, token: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None:
        return False
    row.revoked = True
    return True
