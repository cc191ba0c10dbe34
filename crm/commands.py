"""What every `crm` sub-command shares: a database session, and the account it acts as."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from crm.db import make_engine
from crm.services.actor import Actor, actor_by_username, system_actor


def open_session() -> Session:
    return Session(make_engine(), expire_on_commit=False)


def acting_actor(session: Session, args: argparse.Namespace) -> Actor:
    """`--as USERNAME`, or the system account."""
    name = getattr(args, "as_user", None)
    return actor_by_username(session, name) if name else system_actor(session)
