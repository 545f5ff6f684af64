"""Which messages order a second change besides the one read (pure logic of
`conversation/partial.py`; the dialogue's answers are in tests/security/test_partial_changes.py)."""

from __future__ import annotations

import pytest

from chatops.conversation.asking import RUNBOOK_CHANGES, ordered_changes, ruled_out_changes
from chatops.conversation.partial import (
    on_a_condition,
    ordered_instead,
    other_orders,
    part_of_a_count,
    put_off,
    ruled_out,
    spares_part,
    takes_back,
    tells_what_happened,
)
from chatops.runbook.catalogue import Catalogue


@pytest.mark.parametrize(("intent", "text", "others"), [
    ("suspend_cronjob", "suspend nightly-report in prod and resume it monday 09:00",
     ("resume",)),
    ("restart_deployment", "restart api and then scale it to 3", ("scale",)),
    ("scale_deployment", "scale api to 3, then restart it", ("restart",)),
    # A drain cordons on its way.
    ("drain_node", "cordon node-2 and drain it", ()),
    # Context in another sentence, or a clause with a subject of its own, orders nothing.
    ("uncordon_node", "disk swapped. we can take it back into service now, so please "
                      "uncordon node-1", ()),
    ("restart_deployment", "we rolled back yesterday. restart api in prod", ()),
    ("restart_deployment", "restart api in prod, it keeps crashing", ()),
    # A change ruled out is not ordered (session 42's trial).
    ("scale_deployment", "scale api in prod to 5, no need to restart it", ()),
    ("scale_deployment", "scale api to 5 and don't restart it", ()),
])
def test_other_orders(intent: str, text: str, others: tuple[str, ...]) -> None:
    assert other_orders(intent, text, ordered_changes, RUNBOOK_CHANGES) == others


@pytest.mark.parametrize(("intent", "values", "text", "others"), [
    # One order per line, sentence or list item (a trial: two lines were planned as a
    # scale of the first line's deployment, a change nobody asked for).
    ("scale_deployment", ("checkout-api", "prod", "4"),
     "restart checkout-api in prod\nscale calc-app in prod to 4", ("restart",)),
    ("scale_deployment", ("checkout-api", "prod", "4"),
     "Two things:\n1. restart checkout-api in prod\n2. scale calc-app in prod to 4",
     ("restart",)),
    ("scale_deployment", ("calc-app", "4"),
     "Restart checkout-api in prod. Then scale calc-app to 4.", ("restart",)),
    ("restart_deployment", ("calc-app", "prod"),
     "2) roll back checkout-api\n3) restart calc-app in prod", ("rollback",)),
    # The same kind on another object, or one the runbook makes on its way on another.
    ("restart_deployment", ("checkout-api", "prod"),
     "- restart checkout-api in prod\n- restart calc-app in prod", ("restart",)),
    ("drain_node", ("node-2",), "please do these:\n* cordon node-1\n* drain node-2",
     ("cordon",)),
    # Not another order: the same one again, one taken back, what happened, a plan of
    # someone's own, one ruled out, a drain's own cordon, context.
    ("restart_deployment", ("checkout-api", "prod"),
     "restart checkout-api in prod. restart it now please", ()),
    ("restart_deployment", ("calc-app", "prod"),
     "restart checkout-api in prod. no wait, restart calc-app in prod", ()),
    ("restart_deployment", ("checkout-api", "prod"),
     "Rollback didn't help. Restart checkout-api in prod.", ()),
    ("rollback_deployment", ("checkout-api",),
     "Upgrade to 2.4 broke it.\nroll back checkout-api", ()),
    ("rollback_deployment", ("checkout-api",),
     "Deploy went out at 10. Roll back checkout-api please", ()),
    ("restart_deployment", ("calc-app", "prod"),
     "we will scale it later.\nrestart calc-app in prod", ()),
    ("scale_deployment", ("calc-app", "5"),
     "scale calc-app to 5.\nDon't restart it.", ()),
    ("drain_node", ("node-2",), "cordon node-2.\nthen drain it", ()),
    ("restart_deployment", ("calc-app", "prod"),
     "Scaling up did nothing. restart calc-app in prod", ()),
])
def test_other_orders_across_sentences_and_items(intent: str, values: tuple[str, ...],
                                                 text: str, others: tuple[str, ...]) -> None:
    assert other_orders(intent, text, ordered_changes, RUNBOOK_CHANGES, values) == others


@pytest.mark.parametrize(("text", "spares"), [
    ("drain node-2 but leave the prod pods alone", True),
    ("drain node-2 except kafka-0", True),
    ("drain node-2 without evicting the db", True),
    ("drain node-2, the disk is failing", False),
    ("drain node-2 but check the pdbs first", False),
])
def test_spares_part(text: str, spares: bool) -> None:
    assert spares_part(text) is spares


@pytest.mark.parametrize(("text", "condition"), [
    ("restart api if it looks bad", True),
    ("restart api if needed", True),
    ("if api in prod is down, restart it", True),
    ("restart api when it's stuck again", True),
    ("restart api if you can", False),
    ("restart api if possible", False),
    ("restart api, it is down", False),
])
def test_on_a_condition(text: str, condition: bool) -> None:
    assert on_a_condition(text) is condition


@pytest.mark.parametrize(("text", "off"), [
    # Put off to no time the bot can keep, or to the next time something happens (session
    # 49: each was planned at once).
    ("restart orders in shop later", True),
    ("restart orders in shop a bit later please", True),
    ("Let's restart orders in shop next time.", True),
    ("could you restart orders in shop if it acts up again?", True),
    ("It crashed twice. Please restart orders in shop if it happens again.", True),
    ("Restart orders in shop if/when it OOMs.", True),
    ("should it crash again, roll back orders in shop", True),
    ("Should node-1 report disk pressure. Drain it.", True),
    ("next time, just restart orders in shop", True),
    ("whenever it flaps, cordon node-1", True),
    ("please restart orders in shop at some point", True),
    ("restart orders in shop when it's quiet", True),
    ("restart orders in shop once traffic drops", True),
    ("restart orders in shop in future incidents", True),
    ("restart orders in shop if errors climb", True),
    ("roll back checkout-api in prod if the error rate goes up", True),
    # "later" in a clause of its own, a condition on the state now (checked first), a
    # politeness, a question that asks: the order stands.
    ("restart orders in shop, we'll dig into the logs later", False),
    ("restart orders in shop now and check it again later", False),
    ("scale orders in shop to 5, I'll look at it later", False),
    ("restart orders in shop, later we can look at the logs", False),
    ("restart orders in shop when it is down", False),
    ("restart orders in shop if you can", False),
    ("should we drain node-1? yes, drain it", False),
    ("restart orders in shop, it is slow when traffic drops", False),
    ("Should be fine at 6, scale api to 6", False),
    # A third review's legitimate requests the first version refused (session 49).
    ("restart orders in shop now rather than later", False),
    ("cordon node-2; next time we should page earlier", False),
    ("restart web-frontend in staging; should it fail, I'll roll back by hand", False),
    ("whenever you're ready, cordon node-2", False),
    ("restart orders in shop whenever you can", False),
    ("drain node-1; if it happens again we'll roll back", False),
    ("scale checkout-api in prod to 5. If it breaks again, page me.", False),
    ("scale checkout-api in prod to 5 because it fails whenever traffic spikes", False),
    ("restart orders in shop since it eventually OOMs", False),
    ("scale checkout-api in prod to 5 in case traffic spikes again", False),
    ("restart orders in shop so next time it starts clean", False),
    # ... and its variants put off
    ("restart orders in shop if it keeps crashing", True),
    ("restart orders in shop as a last resort", True),
    ("restart orders in shop sooner or later", True),
    ("restart orders in shop off-peak", True),
    ("cordon node-2, if the alert fires", True),
    ("should the disk fill up, drain node-1", True),
])
def test_put_off(text: str, off: bool) -> None:
    assert put_off(text) is off


@pytest.mark.parametrize(("text", "kinds"), [
    ("cordon node-2 but don't drain it", {"drain"}),
    ("just cordon node-1 without draining it", {"drain"}),
    ("no need to restart it", {"restart"}),
    ("do not scale it down", {"scale"}),
    ("don't bother restarting it", {"restart"}),
    ("restart api, don't roll it back", {"rollback"}),
    ("never drain it during business hours", {"drain"}),
    # Reports, not rulings (attacker set 7's requests, by their negation only): a past
    # form, "not", "won't".
    ("it was never re-enabled, resume it", set()),
    ("we decided not to roll back earlier; now roll back api", set()),
    ("it won't restart by itself, restart it", set()),
    ("we are not rolling back", set()),
    ("restart api, but don't roll anything back", set()),
    # An attacker review: more ways to rule a change out.
    ("cordon node-2 but don't yet drain it", {"drain"}),
    ("cordon node-2, don't go draining it", {"drain"}),
    ("cordon node-2, don't start draining it", {"drain"}),
    ("cordon node-2, I don't want it drained", {"drain"}),
    # ... and a change ruled out of other objects is not this one's (an attacker review).
    ("restart calc-app in prod, don't restart anything else", set()),
    ("restart calc-app, you don't need to restart checkout-api", set()),
    ("suspend nightly-report in prod, don't suspend the staging one", set()),
    ("no need to restart calc-app, scale checkout-api in prod to 4", set()),
    # "just" asks for more; a negation of no change rules none out.
    ("drain node-1, don't just cordon it", set()),
    ("drain node-1 but not the prod pods", set()),
    ("don't panic, restart api", set()),
])
def test_ruled_out_changes(text: str, kinds: set[str]) -> None:
    assert ruled_out_changes(text) == kinds


@pytest.mark.parametrize(("intent", "text", "instead"), [
    ("drain_node", "cordon node-2 but don't drain it", ("cordon_node", {"node": "node-2"})),
    ("restart_deployment", "scale api in prod up, don't restart it",
     ("scale_deployment", {"deployment": "api", "namespace": "prod"})),
    # The values are the ruled-out change's, and the clause ordered names others (an
    # attacker review: the resume was planned in staging).
    ("restart_deployment", "don't restart api in prod, scale web-frontend up", None),
    ("restart_deployment", "don't restart api in prod, scale it up in staging", None),
    # Nothing else ordered, or more than one thing.
    ("restart_deployment", "don't restart api in prod", None),
    ("restart_deployment", "don't restart api in prod, scale it and roll it back", None),
])
def test_ordered_instead(catalogue: Catalogue, intent: str, text: str,
                         instead: tuple[str, dict[str, str]] | None) -> None:
    slots = {"node": "node-2"} if intent == "drain_node" else {"deployment": "api",
                                                               "namespace": "prod"}
    assert ruled_out(intent, text, slots) is not None
    assert ordered_instead(intent, text, slots, catalogue.runbooks) == instead


@pytest.mark.parametrize(("text", "happened"), [
    ("rollback didn't help", True),
    ("Restart fixed it last time", True),
    ("deploy went out at 10", True),
    # An order, whatever its words look like (an attacker set's request).
    ("remove the broken release from orders, put it back to revision 12 in staging", False),
    ("don't drain node-1, just cordon it", False),
    ("restart calc-app in prod", False),
])
def test_tells_what_happened(text: str, happened: bool) -> None:
    assert tells_what_happened(text) is happened


@pytest.mark.parametrize(("text", "values", "back"), [
    ("restart calc-app in prod. no wait, restart checkout-api", ("calc-app", "prod"), True),
    ("scale api to 5. sorry, I meant 4", ("api", "5"), True),
    # The reading has the correction's values, or the later sentence adds.
    ("restart calc-app. no wait, restart checkout-api", ("checkout-api",), False),
    ("restart calc-app. wait, also restart checkout-api", ("calc-app",), False),
])
def test_takes_back(text: str, values: tuple[str, ...], back: bool) -> None:
    assert takes_back(text, values) is back


@pytest.mark.parametrize(("text", "read_at", "part"), [
    ("scale 3 of 5 checkout-api pods in prod", [6], "3 of 5"),
    ("scale checkout-api in prod to 3 out of 5", [], "3 out of 5"),
    ("set checkout-api to 2/4 replicas", [], "2/4"),
    # The count read is in the part, though another is given after "to".
    ("scale checkout-api in prod to 4, 1 of 3 pods is crashing", [33], "1 of 3"),
    # Another count is the new one.
    ("checkout-api in prod is at 2/4 ready, scale it to 6", [50], None),
    ("scale checkout-api in prod to 6", [30], None),
    ("roll back to v1.2 of 3 services", [], None),
])
def test_part_of_a_count(text: str, read_at: list[int], part: str | None) -> None:
    assert part_of_a_count(text, read_at) == part
