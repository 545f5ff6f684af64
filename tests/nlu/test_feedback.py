"""Learning from the team: messages the bot did not understand well are exported from the
audit log for review (`chatops nlu feedback`), and reviewed entries become training
templates (`finetune.feedback`, `chatops nlu train --feedback DIR`)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from click.testing import CliRunner

from chatops.audit import AuditLog
from chatops.audit.feedback import feedback_entries, logged_events, markup
from chatops.audit.records import (
    AskedBack,
    Cancelled,
    MessageReceived,
    OutOfScope,
    Parsed,
    Planned,
    Proposed,
)
from chatops.model import Message, ParsedIntent, SlotSpan
from chatops.runbook.catalogue import Catalogue
from finetune.data import GenerationConfig, dataset_from_catalogue
from finetune.feedback import FeedbackError, load_feedback

# Generation cycles through an intent's templates, reviewed ones last: the counts must cover
# every template (as the defaults do) for the reviewed ones to be drawn.
SMALL = GenerationConfig(per_intent_train=60, per_intent_dev=2, meta_train=45, meta_dev=1,
                         oos_train=300, oos_dev=5)
SECRET_MESSAGE = "tell me a joke about the weather, password=hunter2"


def export(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`chatops nlu feedback --db DB ...` as a separate process, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    return subprocess.run([sys.executable, "-m", "chatops", "nlu", "feedback", "--db",
                           str(db), *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def review(path: Path, target: Path, decisions: dict[str, dict[str, Any]]) -> None:
    """What a person does with a review file: fix some entries, mark them reviewed, and
    put the file in the feedback folder. `decisions` maps an exported text to its edits."""
    document = yaml.safe_load(path.read_text())
    for entry in document["entries"]:
        entry.update(decisions.get(entry["text"], {}))
    target.mkdir(parents=True, exist_ok=True)
    (target / "team.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


# --- the whole loop, through the real conversation and the shipped model ----------------


@pytest.mark.k8s
def test_the_loop_from_conversation_to_training_data(world: Any, tmp_path: Path,
                                                     catalogue: Catalogue) -> None:
    from chatops.console import Shell
    from intents import ModelParser, default_model_dir

    sh = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
               out=io.StringIO())
    prod, staging = world.ns["prod"], world.ns["staging"]
    # Out of scope, twice (listed once).
    for _ in range(2):
        (reply,) = sh.say("what is the weather today")
        assert reply.kind == "answer" and "outside what I can do" in reply.text
    # Asked back: no namespace. The answer completes the request, whose plan is then edited.
    (question,) = sh.say("restart checkout")
    assert question.kind == "question" and "namespace" in question.text
    plan = sh.say(prod)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    edited = sh.service.edit(plan.run.id, Message("bob", f"edit {plan.run.id}", "console",
                                                  "console", source="console"),
                             {"namespace": staging})
    assert edited[-1].kind == "plan", edited[-1].text
    # Secret-looking and out of scope (whatever the model, a joke is no runbook).
    sh.say(SECRET_MESSAGE)

    out = tmp_path / "review.yaml"
    result = export(world.audit_db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Exported 2 message(s)" in result.stderr
    assert "left out 1 that looked like they held a secret" in result.stderr
    text = out.read_text()
    assert "hunter2" not in text and "password" not in text
    assert "FOR HUMAN REVIEW" in text
    entries = {e["text"]: e for e in yaml.safe_load(text)["entries"]}
    assert set(entries) == {"what is the weather today", "restart [checkout](deployment)"}
    weather = entries["what is the weather today"]
    assert weather["why"] == ["out_of_scope"] and weather["seen"] == 2
    assert weather["intent"] == weather["guessed_intent"] == "oos"
    assert weather["reviewed"] is False and weather["thread"] == "console:console"
    restart = entries["restart [checkout](deployment)"]
    assert restart["why"] == ["asked_back", "edited"] and restart["asked"] == ["namespace"]
    assert restart["guessed_intent"] == restart["intent"] == "restart_deployment"
    assert 0.0 < restart["confidence"] <= 1.0 and restart["reviewed"] is False
    assert restart["run_id"] == plan.run.id
    assert restart["final_slots"]["namespace"] == staging
    assert restart["final_slots"]["deployment"] == "checkout-api"

    # The review: the restart is right as marked; the weather stays out of scope.
    feedback = tmp_path / "feedback"
    review(out, feedback, {"what is the weather today": {"reviewed": True},
                           "restart [checkout](deployment)": {"reviewed": True}})
    extra = load_feedback(feedback, catalogue)
    assert [(t.intent, t.text) for t in extra] == [
        ("oos", "what is the weather today"), ("restart_deployment", "restart checkout")]
    dataset = dataset_from_catalogue(catalogue, config=SMALL, extra=extra)
    trained = [s for s in dataset.train if s.template.startswith("feedback/")]
    assert {s.template for s in trained} == {"feedback/team#0", "feedback/team#1"}
    assert any(s.text == "what is the weather today" for s in trained)
    # The first pass over a template is clean: the phrasing as reviewed, a new name in it.
    restarts = [s for s in trained if s.intent == "restart_deployment"]
    assert restarts and all(s.text.startswith("restart ") for s in restarts[:1])
    assert all(len(s.spans) == 1 and s.spans[0].slot == "deployment" for s in restarts)
    assert not [s for s in dataset.dev if s.template.startswith("feedback/")]


@pytest.mark.k8s
def test_refused_values_junk_decisions_and_questions_of_other_requests(
        world: Any, tmp_path: Path) -> None:
    from chatops.console import Shell

    # A scripted model, to hold what each message is read as (the shipped model's readings
    # are measured in BENCHMARKS.md); everything else is the real bot and cluster.
    dev = world.ns["dev"]
    readings = {
        "how healthy is dev atm?": ParsedIntent(
            "diagnose", {"deployment": "atm", "namespace": dev}, 0.93, (), "model"),
        "ok just fix it then": ParsedIntent("cancel", {}, 0.8, (), "model"),
        "web-frontend in dev is down, please fix it": ParsedIntent(
            "diagnose", {"deployment": "checkout-api", "namespace": dev}, 0.97, (), "model"),
    }

    class Scripted:
        def parse(self, text: str) -> ParsedIntent:
            return readings[text]

    sh = Shell(world.service(parser=Scripted()), user="bob", out=io.StringIO())
    (refusal,) = sh.say("how healthy is dev atm?")
    assert refusal.kind == "refusal" and "'atm' not found" in refusal.text
    (junk,) = sh.say("ok just fix it then")
    assert "did not understand" in junk.text
    # A diagnosis answered at once, then a question of the plan picked from its offer
    # (set_image asks for the image): not a question about the message.
    sh.say("web-frontend in dev is down, please fix it")
    AuditLog(world.audit_db).record(AskedBack("set_image", "image"), actor="bob",
                                    thread="console:console")
    out = tmp_path / "review.yaml"
    assert export(world.audit_db, "--out", str(out)).returncode == 0
    entries = {e["text"]: e for e in yaml.safe_load(out.read_text())["entries"]}
    # The guessed value marked up, for the reviewer to correct ("atm" is no deployment).
    refused = entries["how healthy is dev [atm](deployment)?"]
    assert refused["why"] == ["refused"] and refused["guessed_intent"] == "diagnose"
    assert entries["ok just fix it then"]["why"] == ["out_of_scope"]
    assert entries["ok just fix it then"]["guessed_intent"] == "cancel"
    assert "web-frontend in dev is down, please fix it" not in entries


@pytest.mark.k8s
def test_a_message_a_dialogue_reading_answered_is_exported_with_its_answer(
        world: Any, tmp_path: Path) -> None:
    """Trouble the model left under its bar, diagnosed in the cluster: the export says what
    it was answered as, so that the model can learn it (before: not exported at all)."""
    from chatops.console import Shell
    from chatops.messages import TROUBLE_NOTE
    from tests.conversation.test_trouble_in_words import Unsure

    prod = world.ns["prod"]
    sh = Shell(world.service(parser=Unsure({"deployment": "calc-app", "namespace": prod})),
               user="bob", out=io.StringIO())
    replies = sh.say(f"calc-app down in {prod}, help")
    assert replies[0].kind == "answer" and replies[0].text.startswith(f"({TROUBLE_NOTE})"), \
        replies
    out = tmp_path / "review.yaml"
    result = export(world.audit_db, "--out", str(out))
    assert result.returncode == 0 and "Exported 1 message(s)" in result.stderr, result.stderr
    (entry,) = yaml.safe_load(out.read_text())["entries"]
    assert entry["text"] == f"[calc-app](deployment) down in [{prod}](namespace), help"
    assert (entry["intent"], entry["guessed_intent"]) == ("diagnose", "oos")
    assert entry["why"] == ["reread"] and entry["read_as"] == ["trouble"]
    assert entry["final_slots"] == {"deployment": "calc-app", "namespace": prod}


# --- the export, from audit events ---------------------------------------------------------


def parse(log: AuditLog, text: str, intent: str, *, actor: str = "U1",
          thread: str = "C1:1.0", spans: tuple[SlotSpan, ...] = (),
          source: Literal["grammar", "model"] = "model") -> None:
    log.record(MessageReceived(text, "C1", "slack"), actor=actor, thread=thread)
    slots = {s.slot: s.text for s in spans}
    parsed = ParsedIntent(intent, slots, 0.61, (("restart_deployment", 0.2),),
                          source=source, spans=spans)
    log.record(Parsed.of(parsed, text), actor=actor, thread=thread)


def entries_of(log: AuditLog, **kwargs: Any) -> dict[str, dict[str, Any]]:
    found = feedback_entries(logged_events(log), **kwargs)
    return {e.text: e.to_yaml() for e in found.entries}


def test_each_reason_is_found_and_identical_texts_are_listed_once(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db")
    parse(log, "what's the weather", "oos")
    log.record(OutOfScope(), actor="U1", thread="C1:1.0")
    parse(log, "What's  the weather", "oos", actor="U2", thread="C2:1.0")
    log.record(OutOfScope(), actor="U2", thread="C2:1.0")
    parse(log, "bounce checkout", "oos", spans=(SlotSpan("deployment", 7, 15, "checkout"),))
    log.record(OutOfScope(("restart_deployment",)), actor="U1", thread="C1:1.0")
    parse(log, "show me checkout", "show_pods", spans=(SlotSpan("deployment", 8, 16, "checkout"),))
    log.record(AskedBack("show_pods", "namespace"), actor="U1", thread="C1:1.0")
    # Understood and planned at once: nothing to learn.
    parse(log, "status of checkout in prod", "deployment_status")
    log.record(Planned({"runbook": "deployment_status", "slots": {}}, "d0"), actor="U1",
               thread="C1:1.0")
    # The explicit grammar and meta words are not the model's to learn.
    parse(log, "run restart_deployment deployment=checkout", "restart_deployment",
          source="grammar")
    log.record(AskedBack("restart_deployment", "namespace"), actor="U1", thread="C1:1.0")

    entries = entries_of(log)
    assert list(entries) == ["what's the weather", "bounce [checkout](deployment)",
                             "show me [checkout](deployment)"]
    assert entries["what's the weather"]["seen"] == 2
    assert entries["what's the weather"]["why"] == ["out_of_scope"]
    offer = entries["bounce [checkout](deployment)"]
    assert offer["why"] == ["asked_back"] and offer["offered"] == ["restart_deployment"]
    assert entries["show me [checkout](deployment)"]["asked"] == ["namespace"]


def test_an_edited_plan_gives_its_final_values(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db")
    parse(log, "restart checkout in prod", "restart_deployment",
          spans=(SlotSpan("deployment", 8, 16, "checkout"),))
    log.record(Planned({"runbook": "restart_deployment",
                        "slots": {"deployment": "checkout-api", "namespace": "staging"}}, "d1"),
               actor="U1", thread="C1:1.0")
    log.record(Proposed("d1", 1, []), actor="U1", run_id="r-1", thread="C1:1.0")
    log.record(Cancelled("edited"), actor="U1", run_id="r-1")
    log.record(Planned({"runbook": "restart_deployment",
                        "slots": {"deployment": "checkout-api", "namespace": "prod"}}, "d2"),
               actor="U1", thread="C1:1.0")
    log.record(Proposed("d2", 1, []), actor="U1", run_id="r-2", thread="C1:1.0")

    (entry,) = entries_of(log).values()
    assert entry["text"] == "restart [checkout](deployment) in prod"
    assert entry["why"] == ["edited"] and entry["run_id"] == "r-1"
    assert entry["final_slots"] == {"deployment": "checkout-api", "namespace": "prod"}


def test_an_edit_planned_before_the_cancel_gives_its_final_values(tmp_path: Path) -> None:
    """Since session 37 an edit is planned (and dry-run) before the plan it replaces is
    cancelled, so that a refused edit leaves that plan waiting: the re-plan comes first."""
    log = AuditLog(tmp_path / "audit.db")
    parse(log, "restart checkout in prod", "restart_deployment",
          spans=(SlotSpan("deployment", 8, 16, "checkout"),))
    log.record(Planned({"runbook": "restart_deployment",
                        "slots": {"deployment": "checkout-api", "namespace": "staging"}}, "d1"),
               actor="U1", thread="C1:1.0")
    log.record(Proposed("d1", 1, []), actor="U1", run_id="r-1", thread="C1:1.0")
    log.record(Planned({"runbook": "restart_deployment",
                        "slots": {"deployment": "checkout-api", "namespace": "prod"}}, "d2"),
               actor="U1", thread="C1:1.0")
    log.record(Cancelled("edited"), actor="U1", run_id="r-1")
    log.record(Proposed("d2", 1, []), actor="U1", run_id="r-2", thread="C1:1.0")
    # A later request of the same person is not the edit's.
    parse(log, "scale checkout in prod to 3", "scale_deployment")
    log.record(Planned({"runbook": "scale_deployment", "slots": {"replicas": "3"}}, "d3"),
               actor="U1", thread="C1:1.0")

    entry = entries_of(log)["restart [checkout](deployment) in prod"]
    assert entry["why"] == ["edited"] and entry["run_id"] == "r-1"
    assert entry["final_slots"] == {"deployment": "checkout-api", "namespace": "prod"}


def test_secret_looking_messages_are_never_exported(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db")
    prose = ("the root pw for ledger-db is Tr0ub4dor&3 now",
             "db password hunter2, don't tell anyone",
             "use passphrase correct-horse to log in",
             "k8s api token: eyJhbGciOiJSUzI1NiIs")
    for text in (SECRET_MESSAGE, "restart checkout, token xoxb-1234-5678-abcdefgh",
                 "deploy with AKIAIOSFODNN7EXAMPLE please", *prose):
        parse(log, text, "oos")
        log.record(OutOfScope(), actor="U1", thread="C1:1.0")
    # Names and images with digits and dashes are no secret: those are still exported.
    for text in ("why is checkout-api-7d9f8c6b5-x2v9q crashing in prod-eu-2",
                 "set image of api to registry.acme.io/api:2.31.4-rc1",
                 "which pods have no password-like env vars"):
        parse(log, text, "oos")
        log.record(OutOfScope(), actor="U1", thread="C1:1.0")
    found = feedback_entries(logged_events(log))
    assert len(found.entries) == 3 and found.secret_looking == 3 + len(prose)

    result = export(tmp_path / "audit.db")
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout and "xoxb" not in result.stdout
    assert "AKIA" not in result.stdout and "redacted" not in result.stdout.lower()
    assert "Tr0ub4dor" not in result.stdout and "correct-horse" not in result.stdout
    assert len(yaml.safe_load(result.stdout)["entries"]) == 3
    assert f"left out {3 + len(prose)}" in result.stderr


def test_since_and_events_from_before_texts_were_recorded(tmp_path: Path) -> None:
    times = iter([datetime(2025, 1, 1, tzinfo=UTC)] * 3 + [datetime(2025, 3, 1, tzinfo=UTC)] * 6)
    log = AuditLog(tmp_path / "audit.db", clock=lambda: next(times))
    parse(log, "old weather", "oos")
    log.record(OutOfScope(), actor="U1", thread="C1:1.0")
    # An older parse event holds no text: the message before it in the thread gives it.
    log.record(MessageReceived("kick checkout", "C1", "slack"), actor="U1", thread="C1:1.0")
    log.record(Parsed({"intent": "oos", "slots": {"deployment": "checkout"},
                       "confidence": 0.5, "alternatives": []}), actor="U1", thread="C1:1.0")
    log.record(OutOfScope(), actor="U1", thread="C1:1.0")
    assert list(entries_of(log)) == ["old weather", "kick [checkout](deployment)"]
    assert list(entries_of(log, since=datetime(2025, 2, 1, tzinfo=UTC))) == [
        "kick [checkout](deployment)"]
    result = export(tmp_path / "audit.db", "--since", "2025-02-01")
    assert result.returncode == 0 and "old weather" not in result.stdout
    assert export(tmp_path / "audit.db", "--since", "last week").returncode == 2


def test_markup_leaves_spans_that_do_not_fit_unmarked() -> None:
    spans = [{"slot": "deployment", "start": 8, "end": 16, "text": "checkout"},
             {"slot": "namespace", "start": 10, "end": 20},  # overlaps
             {"slot": "namespace", "start": 20, "end": 99}]  # past the end
    assert markup("restart checkout in prod", spans) == "restart [checkout](deployment) in prod"


# --- reviewed files into training ----------------------------------------------------------


def write(folder: Path, entries: list[dict[str, Any]], name: str = "team.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump({"entries": entries}))
    return path


def test_only_reviewed_entries_become_templates(tmp_path: Path, catalogue: Catalogue) -> None:
    write(tmp_path, [
        {"text": "bounce [checkout](deployment) in [prod](namespace)",
         "intent": "restart_deployment", "reviewed": True},
        # Unreviewed entries are not read, wrong names and all.
        {"text": "whatever [x](nonsense)", "intent": "no_such_runbook", "reviewed": False},
        {"text": "tell me a joke", "intent": "oos"},
        {"text": "nah forget it", "intent": "cancel", "reviewed": True},
    ])
    templates = load_feedback(tmp_path, catalogue)
    assert [(t.id, t.intent, t.text) for t in templates] == [
        ("feedback/team#0", "restart_deployment", "bounce checkout in prod"),
        ("feedback/team#3", "cancel", "nah forget it")]
    assert [s.slot for s in templates[0].spans] == ["deployment", "namespace"]
    assert load_feedback(tmp_path / "missing", catalogue) == []


@pytest.mark.parametrize(("entry", "says"), [
    ({"text": "bounce checkout", "intent": "bounce_deployment", "reviewed": True},
     "unknown intent 'bounce_deployment'"),
    ({"text": "bounce [checkout](deploy)", "intent": "restart_deployment", "reviewed": True},
     "slot(s) deploy are not declared by runbook 'restart_deployment'"),
    ({"text": "bounce [checkout](Deployment)", "intent": "restart_deployment",
      "reviewed": True}, "the slot markup does not parse"),
    ({"text": "bounce checkout", "intent": "restart_deployment", "reviewed": "yes please"},
     "`reviewed` must be true or false"),
])
def test_a_wrong_reviewed_entry_is_an_error_naming_file_and_entry(
        tmp_path: Path, catalogue: Catalogue, entry: dict[str, Any], says: str) -> None:
    path = write(tmp_path, [{"text": "fine", "intent": "oos", "reviewed": True}, entry])
    with pytest.raises(FeedbackError) as caught:
        load_feedback(tmp_path, catalogue)
    assert f"{path}, entry 2" in str(caught.value) and says in str(caught.value)


def test_train_refuses_a_wrong_entry_before_training(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from chatops.cli.nlu_cmd import nlu

    path = write(tmp_path, [{"text": "bounce checkout", "intent": "bounce", "reviewed": True}])
    result = CliRunner().invoke(nlu, ["train", "--feedback", str(tmp_path),
                                      "--output", str(tmp_path / "model")])
    assert result.exit_code == 1
    assert f"{path}, entry 1" in result.output and "unknown intent 'bounce'" in result.output
    assert "reviewed: false" in result.output
    assert not (tmp_path / "model").exists()


@pytest.mark.train
@pytest.mark.slow
def test_a_tiny_model_trains_with_reviewed_feedback(tmp_path: Path,
                                                    catalogue: Catalogue) -> None:
    """What `chatops nlu train --feedback DIR` runs, on the tiny path of
    tests/finetune/test_pipeline.py (a full `train` generates and scores minutes of data)."""
    pytest.importorskip("torch")
    from finetune.train import train_ops
    from intents import ModelParser

    write(tmp_path / "feedback", [{"text": "bounce [checkout](deployment) pls",
                                   "intent": "restart_deployment", "reviewed": True}])
    extra = load_feedback(tmp_path / "feedback", catalogue)
    summary = train_ops(tmp_path / "model", max_steps=3, generation=SMALL, quantize="fp32",
                        checkpoint_dir=tmp_path / "checkpoint", disable_tqdm=True,
                        extra=extra)
    assert summary["train_size"] > 0
    parsed = ModelParser(tmp_path / "model", threads=1).parse("bounce checkout pls")
    assert 0.0 < parsed.confidence <= 1.0


def test_feedback_dir_ships_with_its_readme() -> None:
    from finetune.feedback import FEEDBACK_DIR

    readme = (FEEDBACK_DIR / "README.md").read_text()
    assert "reviewed: true" in readme and "chatops nlu feedback" in readme
