"""`chatops nlu parse` with the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatops.cli.nlu_cmd import nlu


def test_parse_json_prints_intent_and_slots() -> None:
    result = CliRunner().invoke(nlu, ["parse", "--json", "restart checkout in prod"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intent"] == "restart_deployment"
    assert data["slots"] == {"deployment": "checkout", "namespace": "prod"}
    assert 0.0 <= data["confidence"] <= 1.0
    assert isinstance(data["alternatives"], list)


def test_parse_reads_one_message_per_line_from_stdin() -> None:
    result = CliRunner().invoke(nlu, ["parse", "--json"], input="help\ncordon node-3\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["intent"] for line in lines] == ["help", "cordon_node"]


def test_missing_model_says_how_to_build_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(nlu, ["parse", "--model-dir", str(tmp_path), "hi"])
    assert result.exit_code == 2
    assert "chatops nlu train" in result.output


def test_train_threads_default_to_every_cpu_this_process_may_use() -> None:
    import os

    from chatops.cli.nlu_cmd import training_threads

    assert training_threads("auto") == len(os.sched_getaffinity(0))
    assert training_threads("3") == 3


@pytest.mark.parametrize(("option", "values", "says"), [
    ("--threads", ("0", "-2", "many", "1.5"), "neither a thread count nor 'auto'"),
    ("--rounds", ("0", "-1", "two"), "--rounds"),
    ("--talk", ("-1", "many"), "--talk"),
    ("--device", ("gpu", "tpu"), "--device"),
])
def test_train_refuses_a_bad_count_before_training(tmp_path: Path, option: str,
                                                    values: tuple[str, ...], says: str) -> None:
    for value in values:
        result = CliRunner().invoke(nlu, ["train", option, value,
                                          "--output", str(tmp_path / "model")])
        assert result.exit_code == 2, result.output
        assert says in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "model").exists()


def test_train_on_cuda_without_a_device_says_so_before_training(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    result = CliRunner().invoke(nlu, ["train", "--device", "cuda", "--max-steps", "1",
                                      "--output", str(tmp_path / "model")])
    assert result.exit_code == 2, result.output
    assert "no CUDA device" in result.output and "--device cpu" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "model").exists()


def test_openmp_threads_sleep_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from finetune.openmp import sleep_while_waiting

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    sleep_while_waiting()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    sleep_while_waiting()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_train_defaults_to_the_recipe_the_shipped_model_was_trained_with() -> None:
    # A retrain with no options must reproduce the shipped recipe, not an older one.
    from finetune import recipe
    from intents import default_model_dir

    meta = json.loads((default_model_dir() / "meta.json").read_text())
    defaults = {param.name: param.default for param in nlu.commands["train"].params}
    shipped = {"talk": recipe.TALK, "rounds": recipe.ROUNDS, "epochs": recipe.EPOCHS}
    assert {name: meta["train"][name] for name in shipped} == shipped
    assert {name: defaults[name] for name in shipped} == shipped
