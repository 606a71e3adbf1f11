"""Settings from the environment and `.env`, plus the operator's TOML file (`SAYSO_CONFIG`).

Everything is validated before anything starts; a bad value becomes one `ConfigError` line
naming the variable or key.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.config.file import FileConfig
from bot.config.settings import ConfigError, Settings
from handlers.core.surveys import BUILTIN, Survey

__all__ = ["Config", "ConfigError", "FileConfig", "Settings", "load_config", "load_file", "load_settings"]


class Config(BaseModel):
    """Everything the process runs with, validated."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    settings: Settings
    file: FileConfig
    surveys: dict[str, Survey]


def _first_error(exc: ValidationError, prefix: str = "", model: type[BaseModel] | None = None) -> str:
    """One line: where (variable or dotted key) and what is wrong; a mistyped table or key of the
    file names the closest one."""
    error = exc.errors()[0]
    if error["type"] == "extra_forbidden" and model is not None:
        return prefix + _unknown_key(
            model, [str(part) for part in error["loc"]], table=isinstance(error["input"], dict)
        )
    where = (prefix + ".".join(str(part) for part in error["loc"])).rstrip(". ")
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _unknown_key(model: type[BaseModel], path: list[str], *, table: bool) -> str:
    """ "unknown section [suggestion]; did you mean [suggestions]?" or the same for a key in a table."""
    *tables, key = path
    for name in tables:  # the model of the table the key sits in
        inner = model.model_fields[name].annotation if name in model.model_fields else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            break
        model = inner
    known = list(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not tables and table:
        sections = [name for name in known if name != "default_language"]
        hint = f"; did you mean [{close[0]}]?" if close else f"; the tables are {', '.join(f'[{k}]' for k in sections)}"
        return f"unknown section [{key}]{hint}"
    hint = f"; did you mean {close[0]}?" if close else f"; the keys are {', '.join(known)}"
    return f"unknown key {'.'.join(path)}{hint}"


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None


def load_file(path: Path | None) -> tuple[FileConfig, dict[str, Survey]]:
    if path is None:
        return FileConfig(), dict(BUILTIN)
    prefix = f"SAYSO_CONFIG ({path}) "
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"SAYSO_CONFIG: file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"SAYSO_CONFIG: cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"SAYSO_CONFIG: {path} is not valid TOML: {exc}") from None
    try:
        file = FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, prefix, FileConfig)) from None
    surveys = dict(BUILTIN)  # the file's [surveys.KEY] tables override or extend the built-ins
    for key, table in file.surveys.items():
        try:
            surveys[key] = Survey.model_validate({"key": key, **table})
        except ValidationError as exc:
            raise ConfigError(_first_error(exc, f"{prefix}surveys.{key}.")) from None
    if file.delivery.default_survey not in surveys:
        raise ConfigError(f"{prefix}delivery.default_survey: unknown survey {file.delivery.default_survey!r}")
    return file, surveys


def load_config(**overrides: Any) -> Config:
    settings = load_settings(**overrides)
    file, surveys = load_file(settings.config_path)
    return Config(settings=settings, file=file, surveys=surveys)
