"""Token checks for the orders API (PyJWT for our tokens, python-jose for a partner's)."""
import os

import jwt
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from jose import jwt as jose_jwt

JWT_KEY = os.environ["ORDERS_JWT_KEY"]
PARTNER_KEYS = {"p1": os.environ["PARTNER_P1_PUBLIC_KEY"]}

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def token_subject(token: str) -> str:
    # "Only for the access log" - and then reused for authorisation.
    claims = jwt.decode(token, options={"verify_signature": False})  # WEB601
    return claims["sub"]


def current_user(token: str = Depends(oauth2_scheme)) -> str:
    # Done right: signature verified, algorithm pinned, audience checked.
    claims = jwt.decode(token, JWT_KEY, algorithms=["HS256"], audience="orders-api")
    return claims["sub"]


def partner_claims(token: str) -> dict:
    # Without algorithms, python-jose lets the token header choose the algorithm.
    key = PARTNER_KEYS[jwt.get_unverified_header(token)["kid"]]  # header only: silent
    return jose_jwt.decode(token, key)  # WEB601


def partner_claims_pinned(token: str) -> dict:
    # Done right: the partner signs with RS256, and only RS256 is accepted.
    key = PARTNER_KEYS[jwt.get_unverified_header(token)["kid"]]
    return jose_jwt.decode(token, key, algorithms=["RS256"])
