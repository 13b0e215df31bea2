"""Editors: what a language server and an editor extension see.

* python-lsp-server (``pylsp``) driven as a real LSP client would drive it: JSON-RPC over
  stdio with ``Content-Length`` framing, ``initialize`` with a workspace root, settings that
  enable its flake8 or its pylint plugin, ``textDocument/didOpen``, then the
  ``textDocument/publishDiagnostics`` it sends back. The client below is stdlib-only and
  every wait has a timeout, so a hanging server fails the test instead of blocking CI.
* pylsp draws its own ranges (to the end of the line for flake8, to the end of an
  identifier for pylint), so end positions are checked where they are produced: pylint's
  ``json2`` output (``endLine``/``endColumn``) and the core's ``check_source``.
* The stdin modes editor extensions call: ``flake8 - --stdin-display-name=PATH`` and
  ``pylint --from-stdin PATH``, where the display name drives the file-name heuristics and
  the buffer on stdin, not the file on disk, is what gets checked.

Columns are character columns: every document here has non-ASCII text before a finding on
the same line (only BMP characters, where characters and LSP's UTF-16 units agree).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flake8_webframework import check_source

BIN_DIR = Path(sys.executable).parent
#: seconds to wait for any one answer of the language server (start-up included)
LSP_TIMEOUT = 60.0

#: A settings module an editor opens: non-ASCII text before the secret on line 3.
SETTINGS_DOC = (
    "# Réglages du site — café\n"
    'INSTALLED_APPS = ["django.contrib.auth"]\n'
    'TITRE = "Café"; SECRET_KEY = "clé-pas-secrète"\n'
    'SIGNING_KEY = "also-in-the-repo"\n'
    "DEBUG = False\n"
)
SECRET_LITERAL = '"clé-pas-secrète"'
SECRET_LINE = 3  # 1-based
SECRET_START = SETTINGS_DOC.splitlines()[SECRET_LINE - 1].index(SECRET_LITERAL)
SECRET_END = SECRET_START + len(SECRET_LITERAL)
SIGNING_LINE = 4
SIGNING_START = SETTINGS_DOC.splitlines()[SIGNING_LINE - 1].index('"also')


def test_document_columns_are_character_columns() -> None:
    """Guard the fixture itself: on line 3 characters and UTF-8 bytes disagree."""
    line = SETTINGS_DOC.splitlines()[SECRET_LINE - 1]
    assert (SECRET_START, SECRET_END) == (29, 46)
    assert len(line[:SECRET_START].encode("utf-8")) == SECRET_START + 1


# -- a tiny LSP client ------------------------------------------------------------------------


class LanguageServer:
    """One ``pylsp`` process spoken to over stdio (JSON-RPC 2.0, ``Content-Length`` frames)."""

    def __init__(self, root: Path) -> None:
        script = BIN_DIR / ("pylsp.exe" if os.name == "nt" else "pylsp")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "pylsp"]
        # An editor starts the server with the project's environment active: flake8 is
        # found on PATH (pylsp's flake8 plugin runs the ``flake8`` executable).
        env = dict(os.environ, PATH=str(BIN_DIR) + os.pathsep + os.environ.get("PATH", ""))
        self.stderr_path = root.parent / f"{root.name}-pylsp-stderr.txt"
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=root,
            env=env,
        )
        self._messages: queue.Queue = queue.Queue()
        self._next_id = 0
        self.notifications: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    # framing

    def _read(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                headers = {}
                while True:
                    line = stream.readline()
                    if not line:
                        self._messages.put(None)  # end of stream
                        return
                    line = line.decode("ascii").strip()
                    if not line:
                        break
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self._messages.put(json.loads(body.decode("utf-8")))
        except Exception as error:  # noqa: BLE001 - surfaced to the waiting test
            self._messages.put(error)

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _next(self, deadline: float, waiting_for: str) -> dict:
        remaining = deadline - time.monotonic()
        try:
            message = self._messages.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            raise AssertionError(
                f"pylsp sent no {waiting_for} within {LSP_TIMEOUT}s; stderr:\n{self.stderr()}"
            ) from None
        if message is None or isinstance(message, Exception):
            raise AssertionError(
                f"pylsp's output ended ({message!r}) while waiting for {waiting_for}; "
                f"stderr:\n{self.stderr()}"
            )
        return message

    # JSON-RPC

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict | None = None) -> object:
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params or {}})
        deadline = time.monotonic() + LSP_TIMEOUT
        while True:
            message = self._next(deadline, f"answer to {method}")
            if message.get("id") == request_id and "method" not in message:
                assert "error" not in message, message
                return message.get("result")
            self._handle(message)

    def wait_for_notification(self, method: str, uri: str) -> dict:
        deadline = time.monotonic() + LSP_TIMEOUT
        while True:
            message = self._next(deadline, f"{method} for {uri}")
            if message.get("method") == method and message["params"].get("uri") == uri:
                return message["params"]
            self._handle(message)

    def _handle(self, message: dict) -> None:
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.request("shutdown")
                self.notify("exit", {})
                self.process.wait(timeout=10)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._stderr.close()


@pytest.fixture
def lsp(tmp_path: Path):
    """Start pylsp on the workspace ``tmp_path/workspace``; ``open_document`` returns the
    diagnostics pylsp publishes for a document."""
    root = tmp_path / "workspace"
    (root / "mysite").mkdir(parents=True)
    servers: list[LanguageServer] = []

    def open_document(relative: str, text: str, plugins: dict) -> list[dict]:
        document = root / relative
        document.write_text(text, encoding="utf-8")  # pylsp's pylint plugin reads the saved file
        server = LanguageServer(root)
        servers.append(server)
        result = server.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "rootPath": str(root),
                "capabilities": {},
                "workspaceFolders": [{"uri": root.as_uri(), "name": "workspace"}],
            },
        )
        assert result["serverInfo"]["name"] == "pylsp"
        server.notify("initialized", {})
        quiet = {name: {"enabled": False} for name in ("pycodestyle", "pyflakes", "mccabe")}
        server.notify(
            "workspace/didChangeConfiguration",
            {"settings": {"pylsp": {"plugins": {**quiet, **plugins}}}},
        )
        uri = document.as_uri()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        return server.wait_for_notification("textDocument/publishDiagnostics", uri)[
            "diagnostics"
        ]

    open_document.root = root
    yield open_document
    for server in servers:
        server.close()


def _starts(diagnostics: list[dict], source: str) -> list[tuple[object, int, int]]:
    return sorted(
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
        for d in diagnostics
        if d.get("source") == source
    )


def test_pylsp_flake8_plugin_publishes_web101(lsp) -> None:
    # the project's own flake8 configuration applies in the editor too (pylsp runs flake8
    # in the workspace root)
    (lsp.root / ".flake8").write_text("[flake8]\nwebframework-secret-names = SIGNING_KEY\n")
    diagnostics = lsp(
        "mysite/settings.py",
        SETTINGS_DOC,
        {"flake8": {"enabled": True, "select": ["WEB"]}},
    )
    # LSP positions are 0-based lines and 0-based characters
    assert _starts(diagnostics, "flake8") == [
        ("WEB101", SECRET_LINE - 1, SECRET_START),
        ("WEB101", SIGNING_LINE - 1, SIGNING_START),
    ], diagnostics
    secret = next(d for d in diagnostics if d["range"]["start"]["line"] == SECRET_LINE - 1)
    assert secret["message"].startswith("WEB101 hardcoded SECRET_KEY")
    assert secret["severity"] == 2  # Warning
    assert [d for d in diagnostics if d.get("source") != "flake8"] == []


def test_pylsp_pylint_plugin_publishes_w7511(lsp) -> None:
    (lsp.root / "pyproject.toml").write_text(
        '[tool.pylint.webframework]\nwebframework-secret-names = ["SIGNING_KEY"]\n'
    )
    diagnostics = lsp(
        "mysite/settings.py",
        SETTINGS_DOC,
        {
            "pylint": {
                "enabled": True,
                "args": [
                    "--load-plugins=pylint_webframework",
                    "--disable=all",
                    "--enable=webframework",
                ],
            }
        },
    )
    # pylsp sends pylint's message id as the code and prefixes the message with the symbol
    assert _starts(diagnostics, "pylint") == [
        ("W7511", SECRET_LINE - 1, SECRET_START),
        ("W7511", SIGNING_LINE - 1, SIGNING_START),
    ], diagnostics
    secret = next(d for d in diagnostics if d["range"]["start"]["line"] == SECRET_LINE - 1)
    assert secret["message"].startswith("[hardcoded-secret-key] hardcoded SECRET_KEY")
    assert secret["severity"] == 2  # Warning
    assert [d for d in diagnostics if d.get("source") != "pylint"] == []


# -- end positions: pylint's JSON and the core -------------------------------------------------


def run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=None if stdin is None else stdin.encode("utf-8"),
        capture_output=True,
        timeout=300,
    )


def pylint_json(cwd: Path, *args: str, stdin: str | None = None) -> list[dict]:
    result = run(
        ["-m", "pylint", "--load-plugins=pylint_webframework", "--disable=all",
         "--enable=webframework", "--persistent=n", "--score=n", "--output-format=json2",
         *args],
        cwd,
        stdin,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode & 1 == 0, stderr  # no fatal message
    return json.loads(result.stdout.decode("utf-8"))["messages"]


def flake8_lines(cwd: Path, *args: str, stdin: str | None = None) -> list[str]:
    result = run(["-m", "flake8", "--isolated", "--select=WEB", *args], cwd, stdin)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 1), stderr
    assert "Traceback" not in stderr, stderr
    return sorted(result.stdout.decode("utf-8").splitlines())


def _positions(messages: list[dict]) -> list[tuple]:
    return sorted(
        (m["path"].replace("\\", "/"), m["messageId"], m["line"], m["column"], m["endLine"],
         m["endColumn"])
        for m in messages
    )


EXPECTED_SECRET = ("W7511", SECRET_LINE, SECRET_START, SECRET_LINE, SECRET_END)


def test_pylint_json_end_positions_are_character_columns(tmp_path: Path) -> None:
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text(SETTINGS_DOC, encoding="utf-8")
    messages = pylint_json(tmp_path, "mysite/settings.py")
    assert _positions(messages) == [("mysite/settings.py", *EXPECTED_SECRET)]


def test_core_end_positions_are_character_columns() -> None:
    findings = check_source(SETTINGS_DOC.encode("utf-8"), "mysite/settings.py")
    assert [(f.code, f.line, f.col, f.end_line, f.end_col) for f in findings] == [
        ("WEB101", SECRET_LINE, SECRET_START, SECRET_LINE, SECRET_END)
    ]
    assert check_source(SETTINGS_DOC, "mysite/settings.py") == findings


def test_multiline_finding_end_position() -> None:
    source = (
        "# café\n"
        'INSTALLED_APPS = ["django.contrib.auth"]\n'
        "SECRET_KEY = (\n"
        '    "première-moitié"\n'
        '    "seconde-moitié"\n'
        ")\n"
    )
    (finding,) = check_source(source, "mysite/settings.py")
    lines = source.splitlines()
    # the implicitly concatenated literal, without the parentheses
    assert (finding.code, finding.line, finding.col) == ("WEB101", 4, lines[3].index('"'))
    assert (finding.end_line, finding.end_col) == (5, len(lines[4]))


# -- stdin modes, as editor extensions call the tools -----------------------------------------

LONE_DEBUG = "DEBUG = True\n"


def test_flake8_stdin_display_name_drives_settings_heuristics(tmp_path: Path) -> None:
    (tmp_path / "mysite").mkdir()
    # the file on disk says something else: flake8 must check the buffer, not re-read it
    (tmp_path / "mysite" / "settings.py").write_text("DEBUG = False\n")
    assert flake8_lines(
        tmp_path, "-", "--stdin-display-name=mysite/settings.py", stdin=LONE_DEBUG
    ) == ["mysite/settings.py:1:9: WEB201 DEBUG = True turns debug mode on; "
          "keep it off outside development"]
    assert flake8_lines(
        tmp_path, "-", "--stdin-display-name=mysite/tool.py", stdin=LONE_DEBUG
    ) == []


def test_pylint_from_stdin_display_name_drives_settings_heuristics(tmp_path: Path) -> None:
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text("DEBUG = False\n")
    messages = pylint_json(tmp_path, "--from-stdin", "mysite/settings.py", stdin=LONE_DEBUG)
    assert _positions(messages) == [("mysite/settings.py", "W7521", 1, 8, 1, 12)]
    # an unsaved buffer whose file does not exist yet
    assert pylint_json(tmp_path, "--from-stdin", "mysite/tool.py", stdin=LONE_DEBUG) == []


def test_flake8_stdin_character_columns(tmp_path: Path) -> None:
    assert flake8_lines(
        tmp_path, "-", "--stdin-display-name=mysite/settings.py", stdin=SETTINGS_DOC
    ) == [f"mysite/settings.py:{SECRET_LINE}:{SECRET_START + 1}: WEB101 hardcoded SECRET_KEY; "
          "load it from the environment or a secret store"]


def test_pylint_from_stdin_character_columns(tmp_path: Path) -> None:
    messages = pylint_json(tmp_path, "--from-stdin", "mysite/settings.py", stdin=SETTINGS_DOC)
    assert _positions(messages) == [("mysite/settings.py", *EXPECTED_SECRET)]


def test_stdin_display_name_drives_path_options(tmp_path: Path) -> None:
    """The path options match the display name too (an editor's buffer of a dev file)."""
    source = 'SECRET_KEY = "dev-key"\nDEBUG = True\n'
    dev = ["--webframework-dev-files=settings/dev.py"]
    assert [line.split()[1] for line in flake8_lines(
        tmp_path, *dev, "-", "--stdin-display-name=mysite/settings/dev.py", stdin=source
    )] == ["WEB101"]
    assert [line.split()[1] for line in flake8_lines(
        tmp_path, *dev, "-", "--stdin-display-name=mysite/settings/prod.py", stdin=source
    )] == ["WEB101", "WEB201"]
    assert [m["messageId"] for m in pylint_json(
        tmp_path, *dev, "--from-stdin", "mysite/settings/dev.py", stdin=source
    )] == ["W7511"]
    assert sorted(m["messageId"] for m in pylint_json(
        tmp_path, *dev, "--from-stdin", "mysite/settings/prod.py", stdin=source
    )) == ["W7511", "W7521"]
