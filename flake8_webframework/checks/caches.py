"""WEB401 pickle-cache-backend and WEB402 session-pickle-store."""

from __future__ import annotations

import ast

from ..findings import Span
from ..values import NO_VALUE
from . import Check

#: Django cache backends that pickle values into a store other processes can write.
PICKLING_DJANGO_BACKENDS = frozenset(
    {
        "django.core.cache.backends.memcached.PyMemcacheCache",
        "django.core.cache.backends.memcached.PyLibMCCache",
        "django.core.cache.backends.memcached.MemcachedCache",
        "django.core.cache.backends.redis.RedisCache",
        "django_redis.cache.RedisCache",
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.db.DatabaseCache",
    }
)
#: Backends whose ``OPTIONS`` may name another serializer.
SERIALIZER_AWARE_BACKENDS = frozenset(
    {"django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache"}
)
LOCAL_DJANGO_BACKENDS = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)
#: Flask-Caching CACHE_TYPE values (short names, class names and import paths) that pickle
#: into a shared store; compared case-insensitively.
PICKLING_FLASK_CACHE_TYPES = frozenset(
    name.lower()
    for name in (
        "redis", "rediscache", "redis_cluster", "redisclustercache", "redis_sentinel",
        "redissentinelcache", "memcached", "memcachedcache", "saslmemcached",
        "saslmemcachedcache", "gaememcached", "spreadsaslmemcached",
        "spreadsaslmemcachedcache", "filesystem", "filesystemcache",
    )
)
PICKLING_SESSION_ENGINES = frozenset(
    {"django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db"}
)


def _flask_cache_type_pickles(value: str) -> bool:
    lowered = value.lower()
    if lowered in PICKLING_FLASK_CACHE_TYPES:
        return True
    tail = lowered.rpartition(".")[2]
    return lowered.startswith(("flask_caching.", "flask_cache.")) and (
        tail in PICKLING_FLASK_CACHE_TYPES
    )


def _dict_entries(node: ast.AST):
    if type(node) is ast.Dict:
        for key, value in zip(node.keys, node.values):
            if type(key) is ast.Constant and isinstance(key.value, str):
                yield key, value


def _entry(node: ast.AST, name: str):
    for key, value in _dict_entries(node):
        if key.value == name:
            return key, value
    return None


def _safe_serializer(cache: ast.Dict, ctx, scope) -> bool:
    """OPTIONS names a JSON/msgpack serializer, or one configured elsewhere (non-literal)."""
    options = _entry(cache, "OPTIONS")
    if options is None:
        return False
    for key, value in _dict_entries(options[1]):
        if key.value.lower() != "serializer":
            continue
        serializer = ctx.values.literal_value(value, scope)
        if serializer is NO_VALUE:
            return True
        if not isinstance(serializer, str):
            return False
        lowered = serializer.lower()
        return "json" in lowered or "msgpack" in lowered
    return False


def _caches_entries(site, ctx):
    """(alias key node, where to report the backend, backend string, cache dict)."""
    for alias, cache in _dict_entries(site.value):
        backend = _entry(cache, "BACKEND")
        if backend is None:
            continue
        value, report_at = ctx.setting_value(backend[1], site.scope, Span(*backend))
        if isinstance(value, str):
            yield alias, report_at, value, cache


def run(ctx):
    findings = []
    sites = ctx.setting_sites()
    local_aliases: set[str] = set()
    session_alias = "default"
    for site in sites:
        if site.name == "CACHES":
            for alias, report_at, backend, cache in _caches_entries(site, ctx):
                if backend in LOCAL_DJANGO_BACKENDS:
                    local_aliases.add(alias.value)
                elif backend in PICKLING_DJANGO_BACKENDS:
                    if backend in SERIALIZER_AWARE_BACKENDS and _safe_serializer(
                        cache, ctx, site.scope
                    ):
                        continue
                    findings.append(ctx.finding("WEB401", report_at, backend=backend))
        elif site.name == "CACHE_TYPE":
            if site.form == "module" and not ctx.settings.is_settings_module("CACHE_TYPE"):
                continue
            cache_type, report_at = ctx.setting_value(site.value, site.scope, site.site)
            if isinstance(cache_type, str) and _flask_cache_type_pickles(cache_type):
                findings.append(ctx.finding("WEB401", report_at, backend=repr(cache_type)))
        elif site.name == "SESSION_CACHE_ALIAS":
            alias = ctx.values.literal_value(site.value, site.scope)
            if isinstance(alias, str):
                session_alias = alias
    for site in sites:
        if site.name == "SESSION_ENGINE":
            engine, report_at = ctx.setting_value(site.value, site.scope, site.site)
            if (
                isinstance(engine, str)
                and engine in PICKLING_SESSION_ENGINES
                and session_alias not in local_aliases
            ):
                findings.append(
                    ctx.finding("WEB402", report_at, what=f"SESSION_ENGINE {engine!r}")
                )
        elif site.name == "SESSION_SERIALIZER":
            serializer, report_at = ctx.setting_value(site.value, site.scope, site.site)
            if isinstance(serializer, str) and serializer.endswith("PickleSerializer"):
                findings.append(
                    ctx.finding("WEB402", report_at, what=f"SESSION_SERIALIZER {serializer!r}")
                )
    return findings


CHECK = Check("caches", run)
