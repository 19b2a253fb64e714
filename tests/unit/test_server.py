from __future__ import annotations

import socket
from pathlib import Path

import pytest

from proteus.db import server
from proteus.errors import ServerError
from proteus.settings import Settings


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        settings = Settings(home=tmp_path, bolt_port=port, http_port=port + 1)
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is taken"):
            server.start(settings)


def test_missing_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ServerError, match="'mvn' is not on PATH"):
        server._require("mvn", "install Apache Maven")


def test_no_pid_file_means_not_running(tmp_path: Path) -> None:
    layout = server.Layout.of(Settings(home=tmp_path))
    assert server.running_pid(layout) is None
    layout.pid_file.parent.mkdir(parents=True)
    layout.pid_file.write_text("1")
    assert server.running_pid(layout) is None
