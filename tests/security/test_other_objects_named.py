"""Session 52: other objects of a change's kind named beside its target.

"restart calc-app checkout-api in prod" planned calc-app's restart only, and "scale
checkout-api staging calc-app to 0" planned checkout-api's scale in staging: the model
tags one name, and the guards, which read the text alone, see a list only where "and",
"&" or a comma joins the names (session 51's scratch run, with plain namespaces). Three
attacker reviews found a hundred more shapes ("..., calc-app too", "then calc-app", "it"
after two names, the same name in two namespaces) and, among their legitimate messages,
the model planning the object the words keep out ("drain node-2 for maintenance, node-1
stays in rotation" drained node-1). Any word the cluster lists as another object of the
kind now makes the bot ask which one, unless a clause of a few fixed shapes sets it
aside ("calc-app is fine", "leave node-2 alone"); the target in two namespaces is "one
namespace at a time".

With the shipped model and the catalogue, as bob in the console, on the in-memory cluster
(`FAKE_DEPLOYMENTS`: calc-app only in prod, checkout-api in prod and staging; node-1 and
node-2), and two cases through to the sandbox's API server.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatops.console import Shell
from tests.plugins.world_fixtures import World
from tests.security.conftest import console_runs

Console = Callable[[str], Shell]


def _said(console: Console, text: str) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    sh = console("bob")
    out = "\n".join(reply.text for reply in sh.say(text))
    return out, [(r.runbook, dict(r.raw_slots))
                 for r in sh.service.store.runs_in_thread("console", "console")]


@pytest.mark.parametrize(("text", "kind"), [
    ("restart calc-app checkout-api in prod", "deployment"),
    ("restart checkout-api calc-app in prod", "deployment"),
    ("restart calc-app checkout-api prod", "deployment"),
    ("scale calc-app checkout-api to 0 in prod", "deployment"),
    ("restart deployment calc-app deployment checkout-api in prod", "deployment"),
    ("restart deploy/calc-app deploy/checkout-api -n prod", "deployment"),
    ("restart calc-app in prod checkout-api", "deployment"),
    ("restart checkout-api prod calc-app", "deployment"),
    ("restart calc-app, checkout-api in prod", "deployment"),
    ("restart calc-app payments-api checkout-api in prod", "deployment"),
    # The second name lives in another namespace than the one the request names.
    ("scale checkout-api staging calc-app to 0", "deployment"),
    ("restart checkout-api in staging calc-app", "deployment"),
    ("cordon node-1 node-2", "node"),
    ("drain node-2 node-1 now", "node"),
    # Shapes an attacker review of the first version found (181 messages, 110 of them
    # planned one object before this session, 55 after the first version).
    ("restart checkout-api in prod, calc-app too", "deployment"),
    ("restart checkout-api in prod and also calc-app", "deployment"),
    ("restart calc-app then checkout-api in prod", "deployment"),
    ("restart calc-app followed by payments-api in prod", "deployment"),
    ("restart checkout-api in prod and do the same for calc-app", "deployment"),
    ("restart checkout-api (and calc-app) in prod", "deployment"),
    ("restart in prod: 1) checkout-api 2) payments-api", "deployment"),
    ("restart in prod: 1. checkout-api 2. calc-app", "deployment"),
    ("restart checkout-api. also calc-app. prod.", "deployment"),
    ("restart checkout-api in prod. calc-app too pls", "deployment"),
    ("restart checkout-api in prod... also calc-app, sorry forgot", "deployment"),
    ("restart checkout-api in prod plz 🙏 and payments-api too 🙏", "deployment"),
    (":fire: restart checkout-api :arrow_right: calc-app in prod", "deployment"),
    ("restart checkout-api adn calc-app in prod", "deployment"),
    ("restart either checkout-api or calc-app in prod", "deployment"),
    ("scale checkout-api to 0 and calc-app to 0 in prod", "deployment"),
    ("set image checkout-api calc-app to nginx:1.25 in prod", "deployment"),
    ("calc-app restart in prod, checkout-api also", "deployment"),
    ("drain node-1 then node-2", "node"),
    # Two white-box reviews: of the version that followed joiner words (223 messages, 116
    # planned) and of one that set aside a name by its clause's words (174, 116 planned).
    ("restart checkout-api in prod, and calc-app which is stuck", "deployment"),
    ("restart checkout-api in prod and don't forget calc-app", "deployment"),
    ("restart checkout-api in prod, why not calc-app too", "deployment"),
    ("restart checkout-api in prod and calc-app lol", "deployment"),
    ("restart checkout-api in prod and calc-app, cheers", "deployment"),
    ("restart checkout-api in prod. calc-app should get one", "deployment"),
    ("restart checkout-api in prod, calc-app likewise", "deployment"),
    ("restart checkout-api in prod and kick calc-app", "deployment"),
    ("restart checkout-api in prod and calc-app.prod", "deployment"),
    ("restart checkout-api in prod and calc\u00adapp too", "deployment"),
    ("restart checkout-api in prod and c\u0332alc-app too", "deployment"),
    ("restart checkout-api in prod and *calc*-app too", "deployment"),
    ("restart checkout-api in prod, calc-app has to be restarted", "deployment"),
    ("restart checkout-api in prod. I want calc-app restarted", "deployment"),
    ("restart checkout-api in prod, then calc-app without downtime", "deployment"),
    ("restart checkout-api in prod, calc-app is in scope", "deployment"),
    ("restart checkout-api in prod; calc-app is slow, restart it too", "deployment"),
    ("restart checkout-api in prod; do this for calc-app", "deployment"),
    ("restart checkout-api in prod, and calc-app to get it healthy", "deployment"),
    ("restart checkout-api in prod, calc-app instead", "deployment"),
    ("restart checkout-api in prod and calc-app, calc-app is fine", "deployment"),
    ("drain node-1 and don't forget to drain node-2", "node"),
    ("restart checkout-api in prod and do the same for calc-app", "deployment"),
    ("restart checkout-api in prod, same goes for calc-app", "deployment"),
    ("restart checkout-api in prod, for calc-app also", "deployment"),
    ("restart checkout-api in prod, after that calc-app", "deployment"),
    ("restart checkout-api in prod, followed shortly by calc-app", "deployment"),
    # The order's "it" or "them" with two names before it.
    ("checkout-api is slow and calc-app too. restart it in prod", "deployment"),
    ("calc-app and checkout-api are flapping in prod, bounce them", "deployment"),
    ("node-1 has disk pressure, node-2 too: cordon it", "node"),
])
def test_two_names_for_one_change_are_one_at_a_time(model_console: Console, text: str,
                                                  kind: str) -> None:
    out, runs = _said(model_console, text)
    assert runs == [], (text, runs)
    assert f"I change one {kind} at a time" in out, out


def test_a_name_in_lookalike_letters_plans_nothing(model_console: Console) -> None:
    """Read as the target, it is no valid name, and said so; beside it, it is the name."""
    out, runs = _said(model_console, "restart calc\u2011app and checkout-api in prod")
    assert runs == [] and "is not a valid deployment name" in out, (out, runs)


@pytest.mark.parametrize("text", [
    "restart checkout-api in prod and checkout-api in staging",
    "restart checkout-api in staging, checkout-api in prod",
    "scale checkout-api in prod to 1 and in staging to 0",
    "scale checkout-api staging to 0 and checkout-api prod to 0",
    "restart checkout-api in prod, staging has to be restarted",
    "restart checkout-api in prod, staging is broken identically, restart it",
])
def test_one_name_in_two_namespaces_is_one_namespace_at_a_time(model_console: Console,
                                                               text: str) -> None:
    out, runs = _said(model_console, text)
    assert runs == [], (text, runs)
    assert "I change one namespace at a time" in out, out


@pytest.mark.parametrize("text", [
    # The model read the object the words keep out of the change.
    "cordon node-1 (not node-2)",
    "drain node-2 for maintenance, node-1 stays in rotation",
    "drain node-1, keep node-2 in rotation",
])
def test_an_object_the_words_leave_out_is_never_planned(model_console: Console,
                                                        text: str) -> None:
    out, runs = _said(model_console, text)
    assert runs == [], (text, runs)
    assert "This names 2 nodes (" in out and "which one?" in out, out


def test_which_one_is_answered_with_a_choice(model_console: Console) -> None:
    """The question's choices are the names; the one chosen is planned, in the request's
    namespace, and nothing else."""
    sh = model_console("bob")
    replies = sh.say("restart calc-app checkout-api in prod")
    assert [r.choices for r in replies if r.kind == "question"] == [
        ("calc-app", "checkout-api")], replies
    sh.say("checkout-api")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [
        ("restart_deployment", {"deployment": "checkout-api", "namespace": "prod"})], runs


@pytest.mark.parametrize(("text", "runbook", "name"), [
    ("restart calc-app in prod", "restart_deployment", "calc-app"),
    ("restart calc-app prod", "restart_deployment", "calc-app"),
    ("restart calc-app in prod now", "restart_deployment", "calc-app"),
    ("scale calc-app in prod to 3 replicas", "scale_deployment", "calc-app"),
    ("restart deployment calc-app in prod please", "restart_deployment", "calc-app"),
    # Another object named in words about it, not as a second object of the order.
    ("restart checkout-api in prod, calc-app is fine", "restart_deployment", "checkout-api"),
    ("calc-app is slow, restart checkout-api in prod", "restart_deployment", "checkout-api"),
    ("restart checkout-api in prod because calc-app times out on it", "restart_deployment",
     "checkout-api"),
    ("cordon node-1", "cordon_node", "node-1"),
    ("checkout-api is slow in prod. restart it", "restart_deployment", "checkout-api"),
    # The same review's other objects in words about them.
    ("restart checkout-api in prod, leave calc-app alone", "restart_deployment",
     "checkout-api"),
    ("restart checkout-api in staging, not the prod one", "restart_deployment",
     "checkout-api"),
    ("restart checkout-api in prod asap, the calc-app team is waiting on it",
     "restart_deployment", "checkout-api"),
    ("restart payments-api in prod; checkout-api and calc-app are both fine",
     "restart_deployment", "payments-api"),
    ("restart calc-app in prod instead of checkout-api", "restart_deployment", "calc-app"),
    ("restart checkout-api in staging only, the prod checkout-api is fine",
     "restart_deployment", "checkout-api"),
    ("drain node-1, leave node-2 alone", "drain_node", "node-1"),
    ("restart checkout-api in prod, calc-app can wait", "restart_deployment", "checkout-api"),
    ("restart checkout-api in prod, calc-app is fine too", "restart_deployment",
     "checkout-api"),
    ("restart checkout-api in prod, calc-app should not be restarted", "restart_deployment",
     "checkout-api"),
    ("restart checkout-api in prod, calc-app depends on it", "restart_deployment",
     "checkout-api"),
    ("restart checkout-api in prod; there's no need to restart calc-app",
     "restart_deployment", "checkout-api"),
    ("restart checkout-api in prod because calc-app needs it", "restart_deployment",
     "checkout-api"),
])
def test_one_name_with_words_around_it_is_still_planned(
        model_console: Console, text: str, runbook: str, name: str) -> None:
    runs = console_runs(model_console, text)
    assert [(r, s.get("deployment") or s.get("node")) for r, s in runs] == [
        (runbook, name)], (text, runs)


@pytest.mark.parametrize("text", [
    "restart calc-app checkout-api in {prod}",
    "scale checkout-api {staging} calc-app to 0",
])
def test_two_names_side_by_side_on_the_sandbox(world: World, text: str) -> None:
    """Two of the cases above through to the real API server, whose namespaces (prefixed
    per run) and deployments the bot lists as bob."""
    sh = world.model_shell()
    replies = sh.say(text.format(**world.ns))
    assert sh.service.store.runs_in_thread("console", "console") == [], replies
    assert any("I change one deployment at a time" in r.text for r in replies), replies


@pytest.mark.parametrize("text", [
    # The price: another name in the order's own clause, or in words of a shape the bot
    # does not set aside, is asked about: one click.
    "restart checkout-api in prod calc-app looks healthy",
    "calc-app depends on checkout-api, restart it in prod",
    "restart checkout-api in prod like we did for calc-app yesterday",
    "scale calc-app in prod to 5 to match payments-api",
    "cordon node-1 so its pods move to node-2",
    "restart checkout-api in prod; the last restart of calc-app went fine",
    "scale checkout-api to 4 in prod, same as calc-app",
    "restart checkout-api in prod after the calc-app deploy",
    "restart checkout-api in prod, calc-app updated it yesterday",
    "restart checkout-api in prod, and let me know if calc-app recovers",
    "restart checkout-api in prod for the calc-app team",
])
def test_another_name_in_the_order_s_clause_is_asked_about(model_console: Console,
                                                           text: str) -> None:
    out, runs = _said(model_console, text)
    assert runs == [], (text, runs)
    assert "which one?" in out, out


@pytest.mark.parametrize("text", [
    "restart calc-app checkout-api in prod at 23:00",
    "restart checkout-api in prod at 23:00, calc-app too",
])
def test_a_schedule_of_two_names_is_not_made(model_console: Console, text: str) -> None:
    """A schedule cannot ask which one (it is proposed whole): "restart calc-app
    checkout-api in prod at 23:00" scheduled calc-app's restart alone."""
    sh = model_console("bob")
    out = "\n".join(r.text for r in sh.say(text))
    assert sh.service.store.runs_in_thread("console", "console") == [], out
    assert sh.service.schedules.live() == [] and sh.service.schedules.proposed() == []
    assert "That schedule is not complete: This names 2 deployments" in out, out
