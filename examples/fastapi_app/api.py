"""Orders API: a FastAPI service with mistakes next to their fixed versions."""
from datetime import datetime, timedelta, timezone

import environ
import jwt
from fastapi import FastAPI, Request
from pydantic_settings import BaseSettings
from starlette.middleware.sessions import SessionMiddleware

env = environ.Env()
DEBUG = env.bool("ORDERS_DEBUG", default=True)  # WEB202: debug on by default

# Public API: /docs, /redoc and /openapi.json are served to anyone.
app = FastAPI(title="Orders API", debug=DEBUG)  # WEB501: docs left on
app.add_middleware(
    SessionMiddleware,
    secret_key="orders-session-secret",  # WEB101: hardcoded session secret
    https_only=True,
)


class Settings(BaseSettings):
    """Done right: secrets have no defaults, debug is off by default."""

    session_secret: str
    jwt_secret: str
    debug: bool = False


settings = Settings()

# Internal admin API: docs and schema switched off, secret from settings.
admin = FastAPI(
    title="Orders admin",
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
    debug=settings.debug,
)
admin.add_middleware(
    SessionMiddleware, secret_key=settings.session_secret, https_only=True
)
app.mount("/admin", admin)


def issue_token(user_id: str) -> str:
    expires = datetime.now(timezone.utc) + timedelta(minutes=30)
    payload = {"sub": user_id, "exp": expires}
    return jwt.encode(payload, "secret", algorithm="HS256")  # WEB101


def read_token(token: str) -> dict:
    # Done right: the key comes from settings, the algorithm list is fixed.
    return jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])


@app.get("/orders/{order_id}")
async def get_order(order_id: int, request: Request) -> dict:
    return {"id": order_id, "user": request.session.get("user")}
