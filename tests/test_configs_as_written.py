"""Configs as people write them: OmegaConf/Hydra containers, YAML files, duration strings."""

from __future__ import annotations

from pathlib import Path

import pytest

import lrkit
from lrkit.configs import read_config
from lrkit.plugins import Catalog
from requires import package

PLAIN = {
    "name": "warmup",
    "schedule": {
        "name": "multistep",
        "start": 0.1,
        "gamma": 0.1,
        "milestones": [{"epochs": 30}, {"epochs": 60}],
    },
    "length": {"epochs": 5},
}


def _values(config: object) -> list[float]:
    return lrkit.create(config).resolve(steps_per_epoch=10).table(800).tolist()  # type: ignore[arg-type]


def test_omegaconf_containers_are_read_recursively() -> None:
    omegaconf = package("omegaconf")
    config = omegaconf.OmegaConf.create(PLAIN)
    assert isinstance(config.schedule.milestones, omegaconf.ListConfig)
    assert _values(config) == _values(PLAIN)
    assert lrkit.create(config).to_config() == lrkit.create(PLAIN).to_config()


def test_a_hydra_style_yaml_file_with_duration_strings(tmp_path: Path) -> None:
    omegaconf = package("omegaconf")
    path = tmp_path / "lr.yaml"
    path.write_text(
        "schedule:\n"
        "  name: warmup\n"
        "  length: 5ep\n"
        "  schedule:\n"
        "    name: multistep\n"
        "    start: 0.1\n"
        "    gamma: 0.1\n"
        "    milestones: [30ep, 60 epochs]\n"
    )
    loaded = omegaconf.OmegaConf.load(path).schedule
    assert _values(loaded) == _values(PLAIN)
    assert _values(read_config(str(path))) == _values(PLAIN)  # PyYAML through the CLI's reader


@pytest.mark.parametrize(
    ("written", "duration"),
    [
        ("250", 250),
        ("1e5", 100_000),
        ("10ep", lrkit.epochs(10)),
        ("2.5 epochs", lrkit.epochs(2.5)),
        ("5%", lrkit.fraction(0.05)),
        ("0.05frac", lrkit.fraction(0.05)),
    ],
)
def test_duration_strings_wherever_a_duration_goes(written: str, duration: object) -> None:
    assert lrkit.cosine(1.0, 0.0, written).length == duration
    config = {"name": "cosine", "start": 1.0, "end": 0.0, "length": written}
    assert lrkit.create(config).length == duration
    steps = {"name": "step", "start": 1.0, "gamma": 0.5, "every": written}
    assert lrkit.create(steps).every == duration


def test_duration_strings_are_resolved_in_configs_before_the_schedule_is_built() -> None:
    config = {"name": "cosine", "start": 1, "end": 0, "length": "5%", "label": "warm"}
    resolved = Catalog.resolve_config(config, total_steps=1000, steps_per_epoch=None)
    assert resolved == {"name": "cosine", "start": 1, "end": 0, "length": 50, "label": "warm"}


def test_a_string_that_is_no_duration_names_the_argument_and_the_forms() -> None:
    with pytest.raises(TypeError, match=r"cosine: length must be .* '10ep' .*, got 'ten'"):
        lrkit.create({"name": "cosine", "start": 1.0, "end": 0.0, "length": "ten"})


def test_yaml_numbers_read_as_text_get_an_error_that_says_why(tmp_path: Path) -> None:
    package("yaml")
    path = tmp_path / "lr.yaml"
    path.write_text("name: cosine\nstart: 1e-3\nend: 0\nlength: 100\n")
    config = read_config(str(path))
    assert config["start"] == "1e-3"  # YAML 1.1: no decimal point, so not a float
    with pytest.raises(TypeError, match=r"start must be a real number, got '1e-3' .*1\.0e-3"):
        lrkit.create(config)
    with pytest.raises(TypeError) as plain:
        lrkit.create({"name": "cosine", "start": "fast", "end": 0.0, "length": 10})
    assert "YAML" not in str(plain.value)  # the hint only for text that is a number
