"""The installed `sayso` command, run as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.migrate import head_revision

SAYSO = shutil.which("sayso", path=str(Path(sys.executable).parent)) or "sayso"


def sayso(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAYSO_", "SLACK_", "TELEGRAM_", "DATABASE_URL"))}
    return subprocess.run(
        [SAYSO, *args], input=input, capture_output=True, text=True, env={**clean, **(env or {})}, cwd=cwd, timeout=120
    )


def test_scripted_demo_stores_a_complete_response(tmp_path):
    result = sayso("demo", input="4\n5\n4\n5\nQuick and kind\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Thank you! Your answers help us serve you better." in result.stdout
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        rows = db.execute(
            "SELECT question_id, value_int, value_text, sentiment_status FROM answers ORDER BY id"
        ).fetchall()
        state = db.execute("SELECT state FROM survey_requests").fetchone()[0]
    assert rows == [
        ("overall", 4, None, None),
        ("speed", 5, None, None),
        ("attitude", 4, None, None),
        ("solution", 5, None, None),
        ("went_well", None, "Quick and kind", "scored"),
    ]
    assert state == "completed"


def test_demo_in_urdu_with_a_wrong_answer_on_the_way(tmp_path):
    result = sayso("demo", "--survey", "nps", "--lang", "ur", input="12\n9\nبہت اچھی سروس\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "یہ جواب پیمانے پر نہیں ہے" in result.stdout  # 12 is off the 0–10 scale
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        rows = db.execute(
            "SELECT question_id, value_int, value_text, text_language FROM answers ORDER BY id"
        ).fetchall()
    assert rows == [("recommend", 9, None, None), ("why", None, "بہت اچھی سروس", "ur")]


def test_demo_that_ends_early_exits_1_and_keeps_answers(tmp_path):
    result = sayso("demo", input="3\n", cwd=tmp_path)
    assert result.returncode == 1
    assert "answers given are saved" in result.stdout
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAYSO_HTTP_PORT": "eighty"}, "SAYSO_HTTP_PORT: Input should be a valid integer"),
        ({"SAYSO_TIMEZONE": "Mars/Olympus"}, "SAYSO_TIMEZONE: unknown IANA time zone 'Mars/Olympus'"),
        ({"SAYSO_DIGEST_CRON": "every monday"}, "SAYSO_DIGEST_CRON: not a crontab expression"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL: Value error, unsupported database 'mysql'"),
        ({"SAYSO_CONFIG": "missing.toml"}, "SAYSO_CONFIG: file missing.toml does not exist"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET"),
        (
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "DATABASE_URL: cannot use postgresql://nobody@127.0.0.1:1/none",
        ),
    ],
)
def test_bad_configuration_exits_2_with_one_line(tmp_path, env, message):
    result = sayso("demo", env=env, input="", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message.replace("Value error, ", "") in lines[0], result.stderr


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[targets]\ncsat = 85\n", "targets.csat: Input should be less than or equal to 1"),
        ("[throttle]\nwindow_days = -1\n", "throttle.window_days: Input should be greater than or equal to 0"),
        ("default_language = 'fr'\n", "default_language: must be one of en, ur, hi, hu"),
        ("[delivery]\ndefault_survey = 'xyz'\n", "delivery.default_survey: unknown survey 'xyz'"),
        ("[anonymity]\nmin_group = 3\n", "unknown key anonymity.min_group; did you mean min_group_size?"),
        ("[suggestion]\nmax_chars = 9\n", "unknown section [suggestion]; did you mean [suggestions]?"),
        (
            "[surveys.pulse]\ntitle = 'P'\nquestions = [{id = 'q', kind = 'rating', text = 'Hi', scale = [1, 20]}]\n",
            "surveys.pulse.questions.0: a rating scale must lie within 0–10",
        ),
        (
            "[surveys.pulse]\ntitle = 'P'\n"
            "questions = [{id = 't', kind = 'text', text = 'Why?', when = {question = 'x', at_most = 2}}]\n",
            "surveys.pulse: 't' depends on 'x', which is not asked before it",
        ),
        ("targets = [", "is not valid TOML"),
    ],
)
def test_bad_config_file_exits_2_naming_the_key(tmp_path, toml, message):
    (tmp_path / "sayso.toml").write_text(toml)
    result = sayso("config", "check", env={"SAYSO_CONFIG": "sayso.toml"}, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


def test_config_check_masks_secrets(tmp_path):
    (tmp_path / "sayso.toml").write_text(
        "[targets]\ncsat = 0.9\n[surveys.pulse]\ntitle = {en = 'Pulse', hu = 'Pulzus'}\n"
        "questions = [{id = 'mood', kind = 'choice', text = 'Mood?', options = ['Good', 'Bad']}]\n"
    )
    env = {
        "SAYSO_CONFIG": "sayso.toml",
        "SAYSO_API_TOKEN": "api-secret-123",
        "TELEGRAM_BOT_TOKEN": "12345:tg-secret",
        "DATABASE_URL": "postgresql://app:pg-secret@db.internal/sayso",
        "SLACK_BOT_TOKEN": "xoxb-slack-secret",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "SAYSO_HOOK_SECRET": "hook-secret-9",
        "SAYSO_METRICS_TOKEN": "metrics-secret-9",
        "SAYSO_WEBHOOK_SECRET": "whsec_" + "c2F5c28" * 5 + "=",
        "SAYSO_WEBHOOK_URLS": "https://robot:url-password@hooks.example.com/in?token=url-token",
    }
    result = sayso("config", "check", env=env, cwd=tmp_path)
    # config check reaches the database: this one does not resolve, which it says in one line, password masked.
    assert result.returncode == 2, result.stderr
    assert "DATABASE_URL: cannot use postgresql://app@db.internal/sayso" in result.stderr
    assert "https://hooks.example.com/in?…" in result.stdout
    for secret in (
        "api-secret-123",
        "tg-secret",
        "pg-secret",
        "xoxb-slack-secret",
        "signing-secret",
        "hook-secret-9",
        "metrics-secret-9",
        "c2F5c28",
        "url-password",
        "url-token",
        "robot",
    ):
        assert secret not in result.stdout + result.stderr
    assert "pulse" in result.stdout and "0.9" in result.stdout


def test_db_upgrade_and_send(tmp_path):
    upgraded = sayso("db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0 and f"revision {head_revision()}" in upgraded.stdout, upgraded.stderr
    args = ("send", "--platform", "console", "--user", "U1", "--interaction-id", "crm-9", "--touchpoint", "phone")
    first, second = sayso(*args, cwd=tmp_path), sayso(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert '"status": "scheduled"' in first.stdout and '"new": true' in first.stdout
    assert '"new": false' in second.stdout
    bad = sayso("send", "--platform", "fax", "--user", "U1", cwd=tmp_path)
    assert bad.returncode == 2 and "--platform" in bad.stderr


def test_demo_data_then_digest_preview(tmp_path):
    filled = sayso("demo-data", "--answers", "3000", "--weeks", "4", "--seed", "3", cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr
    assert "answers in" in filled.stderr
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone()[0] >= 3000
        assert db.execute("SELECT count(DISTINCT agent) FROM interactions").fetchone()[0] == 6
    shown = sayso("digest", "--preview", env={"COLUMNS": "120"}, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    for heading in ("CSAT (share of 4–5)", "What drives satisfaction", "By touchpoint", "Comments:"):
        assert heading in shown.stdout
    assert sayso("digest", "--preview", "--week", "2026-47", cwd=tmp_path).returncode == 2
    empty = sayso("digest", "--preview", "--week", "2020-W01", cwd=tmp_path)
    assert "No responses this week." in empty.stdout


def test_digest_send_needs_a_destination(tmp_path):
    result = sayso("digest", "--send", cwd=tmp_path)
    assert result.returncode == 2 and "SAYSO_DIGEST_SLACK_CHANNELS" in result.stderr
    both = sayso("digest", "--send", "--preview", cwd=tmp_path)
    assert both.returncode == 2 and "one of --preview and --send" in both.stderr


def test_text_rescore_scores_stored_comments_in_every_shipped_language(tmp_path):
    assert sayso("demo-data", "--answers", "400", "--seed", "5", cwd=tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "sayso.db")
    db.execute(
        "UPDATE answers SET sentiment = NULL, sentiment_status = 'not_scored', sentiment_method = NULL "
        "WHERE value_text IS NOT NULL"
    )
    db.commit()
    comments = db.execute("SELECT count(*) FROM answers WHERE value_text IS NOT NULL").fetchone()[0]
    result = sayso("text", "rescore", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{comments} comments rescored"
    rows = db.execute(
        "SELECT text_language, sentiment_status, sentiment_method, count(*) FROM answers "
        "WHERE value_text IS NOT NULL GROUP BY 1, 2, 3"
    ).fetchall()
    assert {language for language, *_ in rows} == {"en", "ur", "hi", "hu"}
    assert all((status, method) == ("scored", "e5-head") for _, status, method, _ in rows)
    later = sayso("text", "rescore", "--since", "2100-01-01", cwd=tmp_path)
    assert later.stdout.strip() == "0 comments rescored"


def test_config_check_names_the_text_model(tmp_path):
    result = sayso("config", "check", cwd=tmp_path)
    assert "text model" in result.stdout and "e5-small-q4" in result.stdout


def test_ctrl_c_in_the_middle_of_a_demo_says_the_answers_are_kept(tmp_path):
    import signal
    import time

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAYSO_", "SLACK_", "TELEGRAM_", "DATABASE_URL"))}
    process = subprocess.Popen(
        [SAYSO, "demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean,
        cwd=tmp_path,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("4\n")
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while "speed of our response" not in process.stdout.readline():  # the second question is on screen
        assert time.monotonic() < deadline and process.poll() is None
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Stopped; the answers given are saved." in err
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        assert db.execute("SELECT value_int FROM answers").fetchall() == [(4,)]


def test_demo_data_seeds_the_suggestion_box_in_four_languages(tmp_path):
    filled = sayso("demo-data", "--answers", "500", "--weeks", "4", cwd=tmp_path)
    assert filled.returncode == 0, filled.stderr
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        languages = {row[0] for row in db.execute("SELECT DISTINCT language FROM suggestions")}
        assert languages == {"en", "ur", "hi", "hu"}
    report = sayso("suggestions", "report", env={"COLUMNS": "160"}, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "repeated" in report.stdout and "yes" in report.stdout


def test_digest_preview_in_another_language(tmp_path):
    assert sayso("demo-data", "--answers", "500", "--weeks", "3", cwd=tmp_path).returncode == 0
    urdu = sayso("digest", "--preview", "--lang", "ur", env={"COLUMNS": "120"}, cwd=tmp_path)
    assert urdu.returncode == 0, urdu.stderr
    from handlers.i18n import lang

    assert lang("ur").gettext("What drives satisfaction") in urdu.stdout
    assert lang("ur").gettext("By touchpoint") in urdu.stdout and "By touchpoint" not in urdu.stdout
    assert "last 12 weeks" not in urdu.stdout and "fewer than" not in urdu.stdout
    wrong = sayso("digest", "--preview", "--lang", "xx", cwd=tmp_path)
    assert wrong.returncode == 2 and "--lang" in wrong.stderr


def test_staff_accounts_from_the_command_line(tmp_path):
    empty = sayso("staff", "list", cwd=tmp_path)
    assert "sayso staff invite you@example.com --role owner" in empty.stdout
    env = {"SAYSO_PUBLIC_URL": "https://feedback.example.com/"}
    invited = sayso("staff", "invite", "Boss@Example.com", "--role", "owner", env=env, cwd=tmp_path)
    assert invited.returncode == 0, invited.stderr
    link = invited.stdout.strip().splitlines()[-1]
    assert link.startswith("https://feedback.example.com/console/invite/") and len(link.rsplit("/", 1)[1]) >= 43
    agent = sayso("staff", "invite", "ann@example.com", "--role", "agent", cwd=tmp_path)
    assert agent.returncode == 2 and "--agent" in agent.stderr
    assert (
        sayso("staff", "invite", "ann@example.com", "--role", "agent", "--agent", "Ann", cwd=tmp_path).returncode == 0
    )
    listed = sayso("staff", "list", env={"COLUMNS": "120"}, cwd=tmp_path).stdout
    assert "boss@example.com" in listed and "ann@example.com" in listed and "invited" in listed
    assert link.rsplit("/", 1)[1] not in listed
    unknown = sayso("staff", "reset", "nobody@example.com", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.strip() == "error: no staff account for nobody@example.com"
    reset = sayso("staff", "reset", "boss@example.com", cwd=tmp_path)
    assert reset.returncode == 0 and reset.stdout.strip().splitlines()[-1] != link
    assert sayso("staff", "remove", "ann@example.com", cwd=tmp_path).returncode == 0
    assert "ann@example.com" not in sayso("staff", "list", env={"COLUMNS": "120"}, cwd=tmp_path).stdout


def test_text_score_reads_lines_and_writes_one_json_object_each(tmp_path):
    """What an operator (or an evaluation) pipes in is scored as a survey comment is, with the
    alert judged by this configuration's [alerts] sentiment_at_most; a bad --lang is refused."""
    (tmp_path / "sayso.toml").write_text("[alerts]\nsentiment_at_most = -0.99\n", encoding="utf-8")
    lines = [
        "The parcel never arrived and nobody answers.",
        "",
        "Nagyon kedvesek voltak, gyorsan megoldották a problémámat.",
        "میرا مسئلہ ابھی تک حل نہیں ہوا، بہت مایوسی ہوئی",
        "Muy mal servicio.",
    ]
    config = {"SAYSO_CONFIG": str(tmp_path / "sayso.toml")}
    done = sayso("text", "score", input="\n".join(lines) + "\n", env=config, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["text"] for row in rows] == [line for line in lines if line]  # blank lines skipped
    assert set(rows[0]) == {"text", "language", "polarity", "method", "status", "alert"}
    english, hungarian, urdu, spanish = rows
    assert (english["language"], english["method"], english["status"]) == ("en", "e5-head", "scored")
    assert -0.99 < english["polarity"] < -0.5 and english["alert"] is False  # the file's threshold
    assert hungarian["language"] == "hu" and hungarian["polarity"] > 0 and hungarian["alert"] is False
    assert urdu["language"] == "ur" and urdu["polarity"] < -0.5
    lenient = sayso("text", "score", input="Nem volt jó a kiszolgálás.\n", env=config, cwd=tmp_path)
    strict = sayso("text", "score", input="Nem volt jó a kiszolgálás.\n", cwd=tmp_path)
    assert -0.99 < json.loads(strict.stdout)["polarity"] <= -0.5  # between the two: alert by default only
    assert (json.loads(lenient.stdout)["alert"], json.loads(strict.stdout)["alert"]) == (False, True)
    assert spanish == {**spanish, "polarity": None, "status": "not_scored", "alert": False}

    hinted = sayso("text", "score", "--lang", "ur", input="ٹھیک ہے\n", cwd=tmp_path)
    assert json.loads(hinted.stdout)["language"] == "ur"
    refused = sayso("text", "score", "--lang", "xx", input="hello\n", cwd=tmp_path)
    assert refused.returncode == 2 and "--lang" in refused.stderr and refused.stdout == ""

    # Bytes that are not UTF-8 (a file saved in another encoding) are replaced, not a traceback.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAYSO_")}
    mixed = subprocess.run(
        [SAYSO, "text", "score"],
        input=b"\xff\xfe broken\nfine service\n",
        capture_output=True,
        env=clean,
        cwd=tmp_path,
        timeout=120,
    )
    assert mixed.returncode == 0 and b"Traceback" not in mixed.stderr, mixed.stderr
    broken, fine = (json.loads(line) for line in mixed.stdout.decode().splitlines())
    assert broken["text"] == "\ufffd\ufffd broken" and fine["text"] == "fine service"
