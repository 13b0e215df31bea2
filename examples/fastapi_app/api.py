"""Orders API: a FastAPI service with mistakes next to their fixed versions."""
import os
import pickle
from datetime import datetime, timedelta, timezone

import environ
import jwt
import uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine, text
from starlette.middleware.cors import CORSMiddleware
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
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],  # WEB505: any site, with the user's cookies
    allow_credentials=True,
)


class Settings(BaseSettings):
    """Done right: secrets have no defaults, debug is off by default."""

    session_secret: str
    jwt_secret: str
    database_url: str
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
# Credentials for one named origin: silent.
admin.add_middleware(
    CORSMiddleware,
    allow_origins=["https://admin.orders.example"],
    allow_credentials=True,
)
app.mount("/admin", admin)

engine = create_engine(settings.database_url)
reports_engine = create_engine(
    os.getenv("REPORTS_DATABASE_URL", "postgresql://reports:r3ports@localhost/reports")  # WEB103
)


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


@app.get("/orders")
def list_orders(status: str = "open") -> list:
    query = f"SELECT id, total FROM orders WHERE status = '{status}'"
    with engine.connect() as conn:
        rows = conn.execute(text(query))  # WEB304: the status is pasted into the SQL
        return [dict(row._mapping) for row in rows]


@app.get("/customers/{customer_id}/orders")
def customer_orders(customer_id: int, status: str = "open") -> list:
    # Done right: bound parameters, fixed SQL text.
    query = text("SELECT id, total FROM orders WHERE customer_id = :cid AND status = :status")
    with engine.connect() as conn:
        rows = conn.execute(query, {"cid": customer_id, "status": status})
        return [dict(row._mapping) for row in rows]


@app.post("/carts/restore")
async def restore_cart(request: Request) -> dict:
    cart = pickle.loads(await request.body())  # WEB403: the request body is unpickled
    return {"items": len(cart)}


class Cart(BaseModel):
    items: list[int]


@app.post("/carts")
async def save_cart(cart: Cart) -> dict:
    # Done right: a validated JSON body.
    return {"items": len(cart.items)}


if __name__ == "__main__":
    # A production server binding every interface is fine (WEB205 is about Werkzeug): silent.
    uvicorn.run(app, host="0.0.0.0", port=8000)
