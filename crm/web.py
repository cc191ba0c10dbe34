"""The app's own HTTP routes, served by st.App next to Streamlit's: they set and clear the
session cookie (HttpOnly, SameSite=Strict, Secure over https). The browser posts the one-time
hand-off nonce here right after signing in; the token travels only in the Set-Cookie header."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streamlit import config as st_config

from crm.config import get_settings
from crm.db import make_engine
from crm.services import sessions

COOKIE = "crm_session"
SESSION_PATH = "_crm/session"
SIGN_OUT_PATH = "_crm/sign-out"
_MAX_NONCE = 128


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return make_engine(url)


def _db() -> Session:
    return Session(_engine(get_settings().database_url), expire_on_commit=False)


def base_path() -> str:
    """'/' or '/base/' (server.baseUrlPath), so routes and the page's fetches agree."""
    base = str(st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def _same_origin(request: Request) -> bool:
    """Only the app's own pages may post here (no sign-in or sign-out from another site)."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _redeem(nonce: str) -> sessions.Ticket | None:
    with _db() as s:
        return sessions.redeem_handoff(s, nonce)


def _revoke(token: str) -> None:
    with _db() as s:
        sessions.revoke(s, token)


async def set_cookie(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    nonce = (await request.body())[:_MAX_NONCE].decode("ascii", "ignore").strip()
    ticket = await run_in_threadpool(_redeem, nonce)
    if ticket is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        ticket.token,
        expires=ticket.expires_at,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


async def clear_cookie(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(_revoke, token)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(
        COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict"
    )
    return response


def routes() -> list[Route]:
    base = base_path()
    return [
        Route(f"{base}{SESSION_PATH}", set_cookie, methods=["POST"]),
        Route(f"{base}{SIGN_OUT_PATH}", clear_cookie, methods=["POST"]),
    ]
