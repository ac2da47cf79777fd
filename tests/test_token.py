"""The pairing token: made once, private to the user, shown by `papershelf token`."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from generator.backend.token import ENV_VAR, load_or_create, token_path
from generator.cli import main


@pytest.fixture
def token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "papershelf" / "token"
    monkeypatch.setenv(ENV_VAR, str(path))
    return path


def test_the_token_is_made_on_first_use_with_mode_0600(token_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text().strip() == token
    assert main(["token"]) == 0
    assert capsys.readouterr().out.strip() == token


def test_reset_makes_a_new_token(token_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["token"])
    old = capsys.readouterr().out.strip()
    main(["token", "--reset"])
    new = capsys.readouterr().out.strip()
    assert new != old
    assert token_file.read_text().strip() == new


def test_a_token_others_can_read_is_refused(token_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["token"])
    token_file.chmod(0o644)
    assert main(["token"]) == 1
    assert "chmod 600" in capsys.readouterr().err


def test_two_first_runs_agree_on_one_token(token_file: Path) -> None:
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(load_or_create(token_file))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1


def test_the_token_lives_in_the_user_config_folder_by_default(tmp_path: Path) -> None:
    assert token_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "papershelf" / "token"
    assert token_path({"HOME": "/home/x"}).parts[-2:] == ("papershelf", "token")
