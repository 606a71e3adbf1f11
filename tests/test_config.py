"""Settings and the TOML file: documented, defaulted, validated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_config, load_file

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT.parent / "shared" / "design.md"


def _documented() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_every_setting_is_documented_in_env_example():
    aliases = {field.validation_alias for field in Settings.model_fields.values()}
    assert aliases <= _documented()


@pytest.mark.skipif(not DESIGN.exists(), reason="shared/design.md lies beside the checkout")
def test_every_contract_variable_is_documented():
    table = DESIGN.read_text().split("## Configuration", 1)[1].split("## HTTP", 1)[0]
    contract = {
        name
        for cell in re.findall(r"^\| (`[^|]+`) \|", table, re.MULTILINE)
        for name in re.findall(r"`([A-Z_]+)`", cell)
    }
    assert contract and contract <= _documented()


def test_env_example_copied_to_dot_env_gives_the_defaults(tmp_path, monkeypatch):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.settings == Settings(_env_file=None)
    assert not config.settings.telegram_enabled and not config.settings.slack_enabled
    assert config.settings.api_token is None and config.settings.alert_slack_channels is None


def test_lists_and_blank_values(monkeypatch):
    monkeypatch.setenv("SAYSO_DIGEST_SLACK_CHANNELS", " C1, C2 ,,")
    monkeypatch.setenv("SAYSO_ALERT_TELEGRAM_CHATS", "")
    settings = Settings(_env_file=None)
    assert settings.digest_slack_channels == ["C1", "C2"]
    assert settings.alert_telegram_chats is None


def test_example_config_file_is_valid():
    file, surveys = load_file(ROOT / "sayso.example.toml")
    onboarding = surveys["onboarding"]
    assert [q.id for q in onboarding.questions] == ["overall", "channel", "what_missing"]
    assert onboarding.questions[0].labels[1] == "Poor"
    assert file.policy().throttle_window.days == 7
    assert set(surveys) == {"csat", "nps", "ces", "onboarding"}


def test_custom_survey_runs_in_the_engine_in_its_own_language():
    from handlers.i18n import lang
    from handlers.survey.prompts import question_prompt

    _, surveys = load_file(ROOT / "sayso.example.toml")
    prompt = question_prompt(
        surveys["onboarding"], surveys["onboarding"].questions[0], token="t" * 12, language=lang("hu")
    )
    assert prompt.text == "Milyen volt az első hete nálunk?"
    assert [o.label for o in prompt.options] == ["1 — Poor", "2", "3", "4", "5 — Great"]


def test_secret_values_never_show_in_repr(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "sign-very-secret")
    assert "very-secret" not in repr(Settings(_env_file=None))


def test_config_error_is_one_line(tmp_path):
    (tmp_path / "c.toml").write_text("[delivery]\nexpiry_hours = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_file(tmp_path / "c.toml")
    assert str(caught.value).count("\n") == 0
    assert "delivery.expiry_hours: Input should be greater than 0" in str(caught.value)
