"""Learners are people, not strings (issue 6, rule 3).

Every way an xAPI actor or a staff-list row can name a person is reduced to one key:

- an email (`mbox`, or a staff `email`) becomes `sha1:<sha1 of "mailto:" + lower-cased email>`,
  so `mbox` compares case-insensitively *and* matches an `mbox_sha1sum` of the same address;
- `mbox_sha1sum` becomes `sha1:<lower-cased hex>`;
- an `account` becomes `acct:<homePage lower-cased, trailing "/" removed>|<name exactly>`;
- an `openid` becomes `openid:<iri>`.

Keys never contain a plain email address, so stores and outputs hold no address unless asked.
"""

from __future__ import annotations

import hashlib
from typing import Any


def email_key(email: str) -> str | None:
    email = email.strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    if "@" not in email:
        return None
    digest = hashlib.sha1(("mailto:" + email.lower()).encode("utf-8")).hexdigest()  # noqa: S324
    return "sha1:" + digest


def sha1_key(value: str) -> str | None:
    value = value.strip().lower()
    if len(value) != 40 or any(c not in "0123456789abcdef" for c in value):
        return None
    return "sha1:" + value


def account_key(home_page: str, name: str) -> str | None:
    home = home_page.strip().lower().rstrip("/")
    if not home or not name:
        return None
    return f"acct:{home}|{name}"


def actor_key(actor: Any) -> str | None:
    """The learner key of an xAPI Agent, or None when it names nobody (invalid)."""
    if not isinstance(actor, dict):
        return None
    mbox = actor.get("mbox")
    if isinstance(mbox, str):
        return email_key(mbox)
    sha = actor.get("mbox_sha1sum")
    if isinstance(sha, str):
        return sha1_key(sha)
    account = actor.get("account")
    if isinstance(account, dict):
        home, name = account.get("homePage"), account.get("name")
        if isinstance(home, str) and isinstance(name, str):
            return account_key(home, name)
        return None
    openid = actor.get("openid")
    if isinstance(openid, str) and openid:
        return "openid:" + openid
    return None


def staff_keys(email: str, home_page: str, account_name: str) -> list[str]:
    """Every key a staff-list row names: its email and its LMS account, when given."""
    keys = []
    if email.strip():
        keys.append(email_key(email))
    if home_page.strip() or account_name.strip():
        keys.append(account_key(home_page, account_name))
    return [k for k in keys if k]


class People:
    """Which identity keys name the same person: each staff-list or LMS-export row is one person,
    however many identities (email, LMS account) it gives (issue 6, rule 3).

    A union-find over keys. `person(key)` is the canonical key of the key's person: the smallest
    key of the group, so it does not depend on the order rows were read. Keys never linked are
    their own person. Groups are joined transitively: two rows sharing an account are one person.
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def link(self, keys: list[str]) -> None:
        """Record that all `keys` name one person."""
        roots = sorted({self._root(k) for k in keys})
        for root in roots[1:]:
            self._parent[root] = roots[0]

    def _root(self, key: str) -> str:
        root = key
        while (parent := self._parent.get(root, root)) != root:
            root = parent
        while key != root:  # path compression: later look-ups take one step
            parent = self._parent[key]
            self._parent[key] = root
            key = parent
        return root

    def person(self, key: str) -> str:
        return self._root(key)

    def mapping(self) -> dict[str, str]:
        """key -> person for every key that is not its own person (empty when none are linked)."""
        return {k: self._root(k) for k in self._parent if self._root(k) != k}
