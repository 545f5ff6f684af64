"""Questions with choices as Slack controls: buttons (or a menu) instead of numbered text.

A click answers the question exactly as typing the choice in the thread would, as the
person who clicked; only the person the question was asked of may answer it, and a value
the message never offered is refused and audited.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.console.shell import Shell
from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.replies import Reply
from chatops.runs import Run, RunState
from chatops.slack.blocks import CHOICES_BLOCK, CHOOSE, reply_blocks
from chatops.slack.listeners.actions import choice_problem, chosen_value
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually, fake_deployments
from tests.slack.helpers import _choices_block, _offered, all_runs, choose
from tests.slack.mock_slack import Call
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()

AMBIGUOUS = "run scale_deployment deployment=checkout namespace=prod replicas=5"
WHICH = "Which deployment in namespace prod did you mean?"


@pytest.fixture
def cluster() -> FakeCluster:
    """Two deployments that `checkout` could mean in prod."""
    return FakeCluster(deployments={**fake_deployments(), ("prod", "checkout-web"): 3},
                       nodes={"node-1": False})


def _audit(bot: Bot) -> AuditLog:
    return AuditLog(bot.service.store.path.replace("state.db", "audit.db"))


def ask(bot: Bot, user: str = "U0BOB", text: str = AMBIGUOUS,
        wait: str = WHICH) -> tuple[str, Call]:
    """Mention the bot with `text` in a new thread; the thread and the bot's question."""
    root = next_ts()
    bot.sender.message(text, user=user, channel="C0OPS", ts=root, mention=True)
    question = bot.slack.wait(
        lambda calls: [c for c in calls if c.method == "chat.postMessage"
                       and c.args.get("thread_ts") == root and wait in c.text()],
        what=f"the answer {wait!r}")[0]
    assert question.args["thread_ts"] == root and question.ts
    return root, question


def _runs_in(bot: Bot, root: str) -> list[Run]:
    return bot.service.store.runs_in_thread("C0OPS", root)


def _plan_of(bot: Bot, root: str) -> Run:
    run = eventually(lambda: (rs := _runs_in(bot, root)) and rs[-1].message_ref and rs[-1],
                     what="the plan")
    assert isinstance(run, Run)
    return run


# ---------------------------------------------------------------- who may answer (security)

def test_a_click_by_someone_else_is_refused_privately(bot: Bot) -> None:
    root, question = ask(bot, "U0BOB")
    assert choose(bot, question, "checkout-web", user="U0CAROL").status == 200
    notice = bot.slack.wait_for("chat.postEphemeral", "I asked bob")[0]
    assert notice.args["user"] == "U0CAROL"
    assert _runs_in(bot, root) == []
    # bob's question is still his to answer, by typing as well as by clicking.
    bot.sender.message("checkout-web", user="U0BOB", channel="C0OPS", thread_ts=root)
    run = _plan_of(bot, root)
    assert run.requester == "bob" and run.raw_slots["deployment"] == "checkout-web"


def test_a_forged_choice_value_is_refused_and_audited(bot: Bot) -> None:
    root, question = ask(bot, "U0BOB")
    # A value the message never offered, and a button sent with another button's value.
    choose(bot, question, "payments-api", user="U0BOB", element=0)
    choose(bot, question, "checkout-web", user="U0BOB", element=0)

    def rejected() -> list[dict[str, Any]]:
        return [e.data for e in _audit(bot).list(kind="rejected")  # type: ignore[attr-defined]
                if "not offered" in str(e.data.get("reason"))]

    found = eventually(lambda: len(rejected()) == 2 and rejected(), what="two refusals")
    assert {r["what"] for r in found} == {"slack choice"}  # type: ignore[union-attr]
    wait_until_idle(bot)
    assert _runs_in(bot, root) == []
    assert not bot.slack.of("chat.postEphemeral")
    assert [e for e in _audit(bot).list(kind="message")  # type: ignore[attr-defined]
            if e.data.get("text") in ("payments-api", "checkout-web")] == []
    # The question is still open: the real click is taken.
    choose(bot, question, "checkout-web", user="U0BOB")
    assert _plan_of(bot, root).raw_slots["deployment"] == "checkout-web"


def test_a_replayed_choice_click_is_handled_once(bot: Bot) -> None:
    root, question = ask(bot, "U0BOB")
    stamp = f"{time.time():.6f}"
    for _ in range(3):  # Slack's retries of one click: the same action_ts each time
        choose(bot, question, "checkout-web", user="U0BOB", action_ts=stamp)
    _plan_of(bot, root)
    wait_until_idle(bot)
    assert len(_runs_in(bot, root)) == 1
    assert not bot.slack.of("chat.postEphemeral")
    assert [e.data.get("text") for e in _audit(bot).list(kind="message")  # type: ignore[attr-defined]
            ].count("checkout-web") == 1


# ---------------------------------------------------------------- the controls

def test_the_ambiguity_question_offers_buttons_with_the_candidates(bot: Bot) -> None:
    _root, question = ask(bot)
    block = _choices_block(question)
    assert [e["type"] for e in block["elements"]] == ["button", "button"]
    assert _offered(question) == ["checkout-api", "checkout-web"]
    assert [e["text"]["text"] for e in block["elements"]] == ["checkout-api", "checkout-web"]
    assert all(e["action_id"].startswith(f"{CHOOSE}:") for e in block["elements"])
    sections = " ".join(b["text"]["text"] for b in question.args["blocks"]
                        if b["type"] == "section")
    assert WHICH in sections and "1. checkout-api" not in sections
    # The notification text still says the choices in words.
    assert "1. checkout-api, 2. checkout-web" in question.args["text"]


def test_more_than_five_choices_become_a_menu() -> None:
    names = tuple(f"node-{i}" for i in range(7))
    (actions,) = [b for b in reply_blocks(Reply("question", "Which node?", choices=names))
                  if b["type"] == "actions"]
    (menu,) = actions["elements"]
    assert menu["type"] == "static_select" and menu["action_id"].startswith(f"{CHOOSE}:")
    assert [o["value"] for o in menu["options"]] == list(names)
    few = reply_blocks(Reply("question", "Which?", choices=("a", "b")))
    assert [e["type"] for b in few if b["type"] == "actions" for e in b["elements"]] == [
        "button", "button"]
    assert not [b for b in reply_blocks(Reply("answer", "plain")) if b["type"] == "actions"]


def test_a_click_continues_to_a_plan_exactly_as_typing_would(bot: Bot) -> None:
    clicked_root, question = ask(bot, "U0BOB")
    choose(bot, question, "checkout-web", user="U0BOB")
    clicked = _plan_of(bot, clicked_root)
    plan_post = bot.slack.wait_for("chat.postMessage", "checkout-web in prod")[0]
    assert plan_post.args["thread_ts"] == clicked_root

    typed_root, _ = ask(bot, "U0BOB")
    bot.sender.message("checkout-web", user="U0BOB", channel="C0OPS", thread_ts=typed_root)
    typed = _plan_of(bot, typed_root)
    for run in (clicked, typed):
        assert run.state is RunState.PROPOSED and run.requester == "bob"
    assert clicked.raw_slots == typed.raw_slots
    assert clicked.plan == typed.plan and clicked.digest == typed.digest


# ---------------------------------------------------------------- out of scope

class Unsure:
    """A parser stub: not sure, with two runbooks close and the slots it saw."""

    def __init__(self, slots: dict[str, str]) -> None:
        self.slots = slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(OUT_OF_SCOPE, dict(self.slots), 0.6,
                            (("restart_deployment", 0.3), ("scale_deployment", 0.2),
                             ("deployment_status", 0.01)), "model")


def test_out_of_scope_buttons_start_the_flow_and_run_nothing(
        bot: Bot, cluster: FakeCluster) -> None:
    bot.service.parser = Unsure({})
    root, answer = ask(bot, "U0BOB", "give checkout a kick", "Closest runbooks")
    assert _offered(answer) == ["restart_deployment", "scale_deployment"]
    choose(bot, answer, "restart_deployment", user="U0CAROL")
    bot.slack.wait_for("chat.postEphemeral", "I asked bob")
    choose(bot, answer, "restart_deployment", user="U0BOB")
    follow = bot.slack.wait_for("chat.postMessage", "Which deployment should I restart?")[0]
    assert follow.args["thread_ts"] == root
    # The question that follows is bob's: typing its answer goes on with restart_deployment.
    bot.sender.message("checkout-api", user="U0BOB", channel="C0OPS", thread_ts=root)
    bot.slack.wait_for("chat.postMessage", "In which namespace?")
    wait_until_idle(bot)
    assert _runs_in(bot, root) == []
    assert [c for c in cluster.calls if not c[1]] == []


def test_out_of_scope_button_with_the_slots_seen_leads_to_a_plan(
        bot: Bot, cluster: FakeCluster) -> None:
    bot.service.parser = Unsure({"deployment": "checkout-api", "namespace": "prod"})
    root, answer = ask(bot, "U0BOB", "give checkout-api in prod a kick", "Closest runbooks")
    choose(bot, answer, "restart_deployment", user="U0BOB")
    run = _plan_of(bot, root)
    assert run.runbook == "restart_deployment" and run.state is RunState.PROPOSED
    assert run.requester == "bob" and run.raw_slots["deployment"] == "checkout-api"
    assert [c for c in cluster.calls if not c[1]] == []  # previewed (dry-run) only
    assert [r.id for r in all_runs(bot)] == [run.id]


def test_typing_an_offered_runbook_still_works(bot: Bot) -> None:
    bot.service.parser = Unsure({"deployment": "checkout-api", "namespace": "prod"})
    root, _ = ask(bot, "U0BOB", "make checkout-api in prod bigger", "Closest runbooks")
    bot.sender.message("2", user="U0BOB", channel="C0OPS", thread_ts=root)
    question = bot.slack.wait_for("chat.postMessage", "How many replicas?")[0]
    assert question.args["thread_ts"] == root
    bot.sender.message("5", user="U0BOB", channel="C0OPS", thread_ts=root)
    run = _plan_of(bot, root)
    assert run.runbook == "scale_deployment" and run.raw_slots["replicas"] == "5"


def test_a_menu_choice_is_checked_against_the_menus_options() -> None:
    names = tuple(f"node-{i}" for i in range(7))
    blocks = reply_blocks(Reply("question", "Which node?", choices=names))
    (menu,) = next(b for b in blocks if b["type"] == "actions")["elements"]

    def problem(value: str, action_id: str = menu["action_id"]) -> str | None:
        action = {"type": "static_select", "action_id": action_id, "block_id": CHOICES_BLOCK,
                  "selected_option": {"value": value}}
        body = {"container": {"message_ts": "1.2"}, "message": {"ts": "1.2", "blocks": blocks}}
        assert chosen_value(action) == value
        return choice_problem(body, action, value)

    assert problem("node-6") is None
    assert "not offered" in str(problem("node-7"))
    assert "not offered" in str(problem("node-6", f"{CHOOSE}:0"))
    assert "not a name" in str(problem("run drain_node node=node-1"))


def test_a_missing_namespace_offers_the_namespaces_that_have_the_deployment(bot: Bot) -> None:
    root, question = ask(bot, text="run scale_deployment deployment=checkout-api replicas=4",
                         wait="In which namespace")
    assert _offered(question) == ["dev", "prod", "staging"]  # payments-api's alone: no
    assert choose(bot, question, "staging", user="U0BOB").status == 200
    run = eventually(lambda: next((r for r in all_runs(bot) if r.thread == root
                                   and r.state is RunState.PROPOSED), None),
                     what="the plan in staging")
    assert isinstance(run, Run) and run.raw_slots["namespace"] == "staging"


def test_a_typed_namespace_the_buttons_do_not_show_still_answers(bot: Bot) -> None:
    # A change: a read is answered in the one namespace with the name (since session 40).
    root, question = ask(bot, text="run restart_deployment deployment=payments-api",
                         wait="In which namespace")
    assert _offered(question) == ["prod"]
    bot.sender.message("staging", user="U0BOB", channel="C0OPS", thread_ts=root)
    # Typed, the answer is taken as given: the cluster then says there is no such deployment.
    bot.slack.wait(lambda calls: [c for c in calls if c.method == "chat.postMessage"
                                  and c.args.get("thread_ts") == root
                                  and "staging" in c.text() and c.ts != question.ts],
                   what="the answer about staging")


def test_a_diagnosis_offers_its_fix_as_a_button_that_only_plans_it(
        bot: Bot, cluster: FakeCluster) -> None:
    cluster.crashing.add(("prod", "checkout-api"))
    root, offer = ask(bot, "U0BOB", "run diagnose namespace=prod deployment=checkout-api",
                      "Suggested fix")
    assert _offered(offer) == ["restart_deployment checkout-api"]
    choose(bot, offer, "restart_deployment checkout-api", user="U0CAROL")
    bot.slack.wait_for("chat.postEphemeral", "I asked bob")
    choose(bot, offer, "restart_deployment checkout-api", user="U0BOB")
    # The thread also holds the diagnosis's own (read-only) run.
    run = eventually(lambda: next((r for r in _runs_in(bot, root)
                                   if r.runbook == "restart_deployment" and r.message_ref),
                                  None), what="the plan")
    assert isinstance(run, Run)
    assert run.runbook == "restart_deployment" and run.state is RunState.PROPOSED
    assert run.requester == "bob"
    assert run.raw_slots == {"namespace": "prod", "deployment": "checkout-api"}
    assert [c for c in cluster.calls if c[0] != "diagnose" and not c[1]] == []
    # A healthy deployment offers nothing.
    _, answer = ask(bot, "U0BOB", "run diagnose namespace=prod deployment=checkout-web",
                    "is healthy")
    assert not [b for b in answer.args["blocks"] if b.get("type") == "actions"]


# ---------------------------------------------------------------- names offered as controls

MISTYPED = "run scale_deployment deployment=chkout namespace=prod replicas=5"
DID_YOU_MEAN = ("deployment 'chkout' not found in namespace prod. "
                "Did you mean checkout-api, checkout-web?")  # as near: in order


def _plan_in(bot: Bot, root: str) -> Run:
    run = eventually(lambda: next((r for r in _runs_in(bot, root)
                                   if r.state is RunState.PROPOSED and r.message_ref), None),
                     what="the plan")
    assert isinstance(run, Run)
    return run


def test_a_name_that_matches_nothing_offers_the_nearest_as_buttons(
        bot: Bot, cluster: FakeCluster) -> None:
    root, question = ask(bot, "U0BOB", MISTYPED, DID_YOU_MEAN)
    assert _offered(question) == ["checkout-api", "checkout-web"]
    sections = " ".join(b["text"]["text"] for b in question.args["blocks"]
                        if b["type"] == "section")
    assert DID_YOU_MEAN in sections and DID_YOU_MEAN in question.args["text"]
    assert _runs_in(bot, root) == []
    # Only bob may answer, and only with what the message offered.
    choose(bot, question, "checkout-web", user="U0CAROL")
    bot.slack.wait_for("chat.postEphemeral", "I asked bob")
    choose(bot, question, "payments-api", user="U0BOB", element=0)
    choose(bot, question, "checkout-web", user="U0BOB")
    run = _plan_in(bot, root)
    assert run.requester == "bob" and run.raw_slots["deployment"] == "checkout-web"
    assert [r.data["what"] for r in _audit(bot).list(kind="rejected")] == ["slack choice"]
    assert [c for c in cluster.calls if not c[1]] == []  # previewed (dry-run) only


def test_a_name_the_did_you_mean_buttons_do_not_show_can_still_be_typed(bot: Bot) -> None:
    root, question = ask(bot, "U0BOB", MISTYPED, DID_YOU_MEAN)
    assert "payments-api" not in _offered(question)
    bot.sender.message("payments-api", user="U0BOB", channel="C0OPS", thread_ts=root)
    assert _plan_in(bot, root).raw_slots["deployment"] == "payments-api"
    # A name typed wrong again is asked about again, never planned as typed.
    typed_root, _ = ask(bot, "U0BOB", MISTYPED, DID_YOU_MEAN)
    bot.sender.message("chkout", user="U0BOB", channel="C0OPS", thread_ts=typed_root)
    bot.slack.wait_for("chat.postMessage", DID_YOU_MEAN, count=3)
    wait_until_idle(bot)
    assert _runs_in(bot, typed_root) == []


def test_a_missing_deployment_offers_the_deployments_of_its_namespace(bot: Bot) -> None:
    root, question = ask(bot, "U0BOB", "run scale_deployment namespace=prod replicas=4",
                         "Which deployment should I scale?")
    assert _offered(question) == ["checkout-api", "checkout-web", "payments-api"]
    choose(bot, question, "payments-api", user="U0BOB")
    run = _plan_in(bot, root)
    assert run.raw_slots == {"namespace": "prod", "deployment": "payments-api",
                             "replicas": "4"}
    # Typing a name works too; without a namespace yet there is nothing to offer.
    typed_root, _ = ask(bot, "U0BOB", "run scale_deployment namespace=staging replicas=2",
                        "Which deployment should I scale?")
    bot.sender.message("checkout-api", user="U0BOB", channel="C0OPS", thread_ts=typed_root)
    assert _plan_in(bot, typed_root).raw_slots["namespace"] == "staging"
    _, bare = ask(bot, "U0BOB", "run scale_deployment replicas=2",
                  "Which deployment should I scale?")
    assert not [b for b in bare.args["blocks"] if b.get("type") == "actions"]


def test_a_missing_node_offers_the_nodes(bot: Bot, cluster: FakeCluster) -> None:
    cluster.nodes["node-2"] = False
    root, question = ask(bot, "U0BOB", "run cordon_node", "Which node should I cordon?")
    assert _offered(question) == ["node-1", "node-2"]
    choose(bot, question, "node-2", user="U0BOB")
    run = _plan_in(bot, root)
    assert run.runbook == "cordon_node" and run.raw_slots == {"node": "node-2"}
    assert [c for c in cluster.calls if not c[1]] == []


def test_in_the_console_the_same_questions_are_answered_by_typing(
        fake_service: ConversationService) -> None:
    out = io.StringIO()
    shell = Shell(service=fake_service, user="bob", out=out, thread="t-typo")
    [asked] = shell.say(MISTYPED)
    assert asked.kind == "question" and asked.choices == ("checkout-api", "checkout-web")
    # The names are in the question's words already: not listed a second time.
    assert out.getvalue() == f"? {DID_YOU_MEAN}\n"
    [plan, *_] = shell.say("checkout-web")
    assert plan.run is not None and "checkout-web in prod to 5 replicas" in plan.text
    shell.thread = "t-missing"
    [asked] = shell.say("run scale_deployment namespace=prod replicas=4")
    assert asked.text == "Which deployment should I scale?"
    assert asked.choices == ("checkout-api", "checkout-web", "payments-api")
    # What Slack shows as buttons is listed under the question here.
    assert out.getvalue().endswith("? Which deployment should I scale?\n"
                                   "  you can answer: checkout-api, checkout-web, "
                                   "payments-api\n")
    [plan, *_] = shell.say("payments-api")
    assert plan.run is not None and "payments-api in prod to 4 replicas" in plan.text
