"""What every new or managed account shares: cleaning its identity, choosing and checking
its password under the effective policy, saving it, and who may manage whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from faxline.accounts.access import Actor, may_manage_person
from faxline.accounts.models import (
    Company,
    Department,
    User,
)
from faxline.accounts.policy import (
    effective_policy,
    generate_password,
    password_problems,
)
from faxline.accounts.validation import (
    clean_email,
    clean_text,
    clean_username,
)
from faxline.core.errors import ValidationFailed


def hash_password(password: str) -> str:
    """The hash of ``password`` with the preferred hasher. Slow on purpose (tens of
    milliseconds of CPU): call it before any write transaction opens, never inside one (on
    SQLite a write transaction holds the database's one write lock)."""
    return make_password(password)


def checked_password(
    *,
    password: str | None,
    generate: bool,
    company: Company | None,
    department: Department | None,
    person: tuple[str, ...],
    user: User | None = None,
) -> tuple[str, bool]:
    policy = effective_policy(company=company, department=department)
    if generate or not password:
        if not generate:
            raise ValidationFailed("password is required (or choose Generate).", field="password")
        return generate_password(policy), True
    if not isinstance(password, str):
        raise ValidationFailed("password must be text.", field="password")
    problems = password_problems(password, policy=policy, user=user, personal=person)
    if problems:
        raise ValidationFailed(
            "The password " + "; ".join(problems) + ".", field="password", code="password_policy"
        )
    return password, False


@dataclass(frozen=True)
class CreatedAccount:
    """A new account and, when it was generated, its password (shown once)."""

    user: User
    generated_password: str | None


def resolve_username(username: str | None, email: str, use_email: bool) -> str:
    chosen = email if use_email else username
    if not chosen:
        raise ValidationFailed(
            "username is required (or use the email address as username).", field="username"
        )
    chosen = clean_username(chosen)
    if User.objects.filter(username__iexact=chosen).exists():
        raise ValidationFailed(f"The username {chosen!r} is already taken.", field="username")
    return chosen


@dataclass(frozen=True)
class NewPerson:
    """A new account's identity, cleaned, with its password (chosen or generated) and that
    password's hash. Hashing is slow on purpose, so it is done here, before any write
    transaction opens (on SQLite a write transaction holds the database's one write lock).
    ``secret`` is empty for an account that will choose its password through a link."""

    first_name: str
    last_name: str
    email: str
    username: str
    secret: str
    generated: bool
    password_hash: str

    def identity(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "username": self.username,
        }


def new_person(
    *,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None,
    use_email_as_username: bool,
    password: str | None,
    generate_password: bool,
    company: Company | None,
    department: Department | None,
    password_link: bool = False,
) -> NewPerson:
    """Clean the fields every new account has and check its password under the policy.

    With ``password_link`` and no password, the account gets no usable password (nothing to
    hash): the caller emails it a link to choose one (``passwords.password_link_send``).
    """
    first = clean_text(first_name, field="first_name", max_length=100, required=True)
    last = clean_text(last_name, field="last_name", max_length=100, required=True)
    mail = clean_email(email, field="email")
    name = resolve_username(username, mail, use_email_as_username)
    if password_link and not password:
        return NewPerson(first, last, mail, name, "", False, make_password(None))
    secret, generated = checked_password(
        password=password,
        generate=generate_password,
        company=company,
        department=department,
        person=(first, last, name, mail),
    )
    return NewPerson(first, last, mail, name, secret, generated, hash_password(secret))


def save_new_account(account: User, person: NewPerson) -> CreatedAccount:
    """Set the (already hashed) password and save; a username taken meanwhile is refused on
    its field."""
    account.password = person.password_hash
    account.password_changed_at = timezone.now()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            f"The username {person.username!r} is already taken.", field="username"
        ) from exc
    return CreatedAccount(account, person.secret if person.generated else None)


def require_manage_person(actor: Actor, person: User) -> None:
    """``accounts.access.may_manage_person``, enforced."""
    may_manage_person(actor, person).check()
