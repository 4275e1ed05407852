"""contrib/newsbot.service: the systemd unit the README's "Running as a service" installs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).parent.parent / "contrib" / "newsbot.service"


def directives() -> dict[str, str]:
    found = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def test_the_unit_restarts_on_failure_as_its_own_user_with_its_state_and_hardening():
    d = directives()
    assert d["Restart"] == "on-failure" and d["RestartPreventExitStatus"] == "2"
    assert d["User"] == "newsbot" and d["StateDirectory"] == "newsbot"
    assert d["EnvironmentFile"] == "/etc/newsbot/newsbot.env"
    assert d["ExecStart"].endswith("newsbot run")
    assert d["NoNewPrivileges"] == "yes" and d["ProtectSystem"] == "strict"
    assert d["ReadWritePaths"] == "/var/lib/newsbot"
    assert d["Environment"] == "NEWSBOT_DATABASE=/var/lib/newsbot/newsbot.sqlite3"
    assert d["KillSignal"] == "SIGTERM"  # the clean stop: marks committed, nothing repeats


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed on this machine: the unit's directives are"
    " checked above, its syntax only where systemd is",
)
def test_systemd_accepts_the_unit(tmp_path):
    # verify also checks that ExecStart exists: point it at this checkout's newsbot.
    newsbot = Path(sys.executable).with_name("newsbot")
    unit = tmp_path / "newsbot.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/newsbot/bin/newsbot", str(newsbot)),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "newsbot.service" not in result.stderr  # no warning about this unit
