"""Test sessions: the suite on every supported CPython (3.10 to 3.13)."""

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def examples(session: nox.Session) -> None:
    """flake8 then pylint on the bundled example apps, showing only this plugin's findings."""
    session.install("-e", ".[pylint]")
    session.run("flake8", "--isolated", "--select=WEB", "examples/", success_codes=[0, 1])
    session.run(
        "pylint", "--load-plugins=pylint_webframework", "--disable=all",
        "--enable=webframework", "--score=n", "--recursive=y", "examples/",
        success_codes=list(range(32)),
    )
