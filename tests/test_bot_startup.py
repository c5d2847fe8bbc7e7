"""Start-up and shutdown of `python -m bot`: clear errors, no tokens in output, SIGTERM drains and exits 0."""
from __future__ import annotations

import subprocess


from tests.bot_fixtures import ROOT, BotProcess, bot_env, procfile_command
from tests.fakes.fake_slack import FakeSlack


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(procfile_command("worker"), env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_missing_bot_token_fails_fast_with_a_clear_message(tmp_path) -> None:
    result = run(bot_env("http://127.0.0.1:9/api/", str(tmp_path), SLACK_BOT_TOKEN=""))
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr


def test_missing_app_token_and_signing_secret(tmp_path) -> None:
    result = run(bot_env("http://127.0.0.1:9/api/", str(tmp_path), SLACK_APP_TOKEN=""))
    assert result.returncode == 2 and "SLACK_SIGNING_SECRET" in result.stderr


def test_rejected_token_fails_fast_without_logging_it(tmp_path) -> None:
    with FakeSlack(valid_tokens={"xoxb-good", "xapp-good"}) as fake:
        result = run(bot_env(fake.base_url, str(tmp_path), SLACK_BOT_TOKEN="xoxb-secret-123"))
    assert result.returncode == 2
    assert "auth.test: invalid_auth" in result.stderr
    assert "xoxb-secret-123" not in result.stderr + result.stdout


def test_unreachable_slack_fails_fast(tmp_path) -> None:
    result = run(bot_env("http://127.0.0.1:9/api/", str(tmp_path)))
    assert result.returncode == 2 and "Could not reach Slack" in result.stderr


def test_sigterm_finishes_in_flight_answers_and_exits_zero(tmp_path) -> None:
    with FakeSlack() as fake:
        process = BotProcess(procfile_command("worker"), bot_env(fake.base_url, str(tmp_path / "c")), tmp_path / "log")
        fake.wait_for_connection(timeout=120)
        # Slow the answer down at Slack's side: the post waits out a 429 with Retry-After 2.
        fake.fail_next("chat.postMessage", status=429, retry_after=2)
        fake.push_event({"type": "app_mention", "channel": "CTERM", "user": "U1", "text": "<@UBOT> in flight"})
        fake.wait_for_call("reactions.add", lambda c: c.params.get("channel") == "CTERM")
        code = process.terminate(timeout=30)
        assert code == 0, process.output()[-3000:]
        # The in-flight answer was still delivered before exit.
        assert [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "CTERM"]


def test_unreachable_chroma_server_fails_fast_with_one_line(tmp_path) -> None:
    from tests.bot_fixtures import free_port

    with FakeSlack() as fake:
        env = bot_env(fake.base_url, str(tmp_path), CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(free_port()))
        result = run(env)
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Chroma server at 127.0.0.1" in errors[0]
    assert "Traceback" not in result.stderr


def test_http_mode_with_unreachable_chroma_server_exits_2_with_the_reason(tmp_path) -> None:
    from tests.bot_fixtures import free_port

    with FakeSlack() as fake:
        env = bot_env(fake.base_url, str(tmp_path), SLACK_APP_TOKEN="", SLACK_SIGNING_SECRET="s", PORT=str(free_port()),
                      CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(free_port()), HOME=str(tmp_path))
        result = run(env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "error: Could not open the Chroma server at 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr
