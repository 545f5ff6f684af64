"""The shipped model knows the whole catalogue and understands realistic messages."""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pytest

from chatops.model import OUT_OF_SCOPE
from chatops.runbook.catalogue import Catalogue
from intents import ModelParser, default_model_dir

IN_SCOPE: list[tuple[str, str, dict[str, str]] | object] = [
    ("restart checkout in prod", "restart_deployment",
     {"deployment": "checkout", "namespace": "prod"}),
    ("<@U0123ABCD> pls restart `payments-api` in payments :fire:", "restart_deployment",
     {"deployment": "payments-api", "namespace": "payments"}),
    ("can you bounce web-frontend in staging?", "restart_deployment",
     {"deployment": "web-frontend", "namespace": "staging"}),
    ("scale checkout-api in prod to 5", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "5"}),
    ("scale calc-app to 3 replicas in staging", "scale_deployment",
     {"deployment": "calc-app", "replicas": "3", "namespace": "staging"}),
    ("scale orders down to 0 in dev", "scale_deployment",
     {"deployment": "orders", "replicas": "0", "namespace": "dev"}),
    ("rollback checkout in prod", "rollback_deployment",
     {"deployment": "checkout", "namespace": "prod"}),
    ("roll back payments-api in payments to revision 3", "rollback_deployment",
     {"deployment": "payments-api", "namespace": "payments", "revision": "3"}),
    ("set image of web-frontend to nginx:1.25.3 in staging", "set_image",
     {"deployment": "web-frontend", "image": "nginx:1.25.3", "namespace": "staging"}),
    ("update checkout-api image to ghcr.io/acme/api:v2.3.1", "set_image",
     {"deployment": "checkout-api", "image": "ghcr.io/acme/api:v2.3.1"}),
    ("delete pod checkout-api-7d9f8b6c5-x2kqp in prod", "delete_pod",
     {"pod": "checkout-api-7d9f8b6c5-x2kqp", "namespace": "prod"}),
    ("kill pod redis-cache-0", "delete_pod", {"pod": "redis-cache-0"}),
    ("cordon node-3", "cordon_node", {"node": "node-3"}),
    ("cordon ip-10-0-1-23.ec2.internal", "cordon_node", {"node": "ip-10-0-1-23.ec2.internal"}),
    ("uncordon worker-3", "uncordon_node", {"node": "worker-3"}),
    ("drain node gke-prod-pool-1-abc123", "drain_node", {"node": "gke-prod-pool-1-abc123"}),
    ("suspend the nightly-backup cronjob in prod", "suspend_cronjob",
     {"cronjob": "nightly-backup", "namespace": "prod"}),
    ("resume cronjob db-backup in payments", "resume_cronjob",
     {"cronjob": "db-backup", "namespace": "payments"}),
    ("set autoscaling on checkout-api between 2 and 10 replicas", "set_autoscaling",
     {"deployment": "checkout-api", "min_replicas": "2", "max_replicas": "10"}),
    pytest.param(
        "set autoscaling on checkout between 2 and 10 replicas", "set_autoscaling",
        {"deployment": "checkout", "min_replicas": "2", "max_replicas": "10"},
        marks=pytest.mark.xfail(reason="checkout is also a namespace name in the training "
                                "data; which of the two a model reads for a bare name is "
                                "a coin flip of its seed (bench/target_names.py)",
                                strict=False),
    ),
    ("show pods in kube-system", "show_pods", {"namespace": "kube-system"}),
    ("list pods for calc-app in staging", "show_pods",
     {"deployment": "calc-app", "namespace": "staging"}),
    ("what's the status of checkout in prod?", "deployment_status",
     {"deployment": "checkout", "namespace": "prod"}),
    ("show logs for checkout-api-7d9f8b6c5-x2kqp", "pod_logs",
     {"pod": "checkout-api-7d9f8b6c5-x2kqp"}),
    ("last 100 lines of logs from calc-app in staging", "pod_logs",
     {"lines": "100", "deployment": "calc-app", "namespace": "staging"}),
    ("recent events in monitoring", "recent_events", {"namespace": "monitoring"}),
    ("describe pod redis-cache-0 in prod", "describe_pod",
     {"pod": "redis-cache-0", "namespace": "prod"}),
    ("how are the nodes doing", "node_status", {}),
    ("rollout history of web-frontend in prod", "rollout_history",
     {"deployment": "web-frontend", "namespace": "prod"}),
    ("which images are running in payments", "list_images", {"namespace": "payments"}),
    ("why is calc-app crashing?", "diagnose", {"deployment": "calc-app"}),
    ("what's wrong with checkout in prod", "diagnose",
     {"deployment": "checkout", "namespace": "prod"}),
    # Incident-channel writing: questions, quoted names, kubectl and DNS forms, context.
    # The model tags both names as namespaces here ('shop' surer); each slot taking one
    # span (intents/slots.py) gives 'api' the free deployment slot.
    ("could you fix whatever is wrong with the deployment called 'api' in the 'shop' "
     "namespace", "diagnose", {"deployment": "api", "namespace": "shop"}),
    ("is something off with my service in the billing namespace?", "diagnose",
     {"namespace": "billing"}),
    ("how healthy is everything in payments?", "diagnose", {"namespace": "payments"}),
    ("any problems with our app in staging? does anything look odd in its logs?", "diagnose",
     {"namespace": "staging"}),
    ("which images do the pods run?", "list_images", {}),
    ("restart `deploy/checkout` in prod", "restart_deployment",
     {"deployment": "checkout", "namespace": "prod"}),
    # Struck text is taken back (a user trial read the restart).
    ("~restart checkout-api~ no wait, just show me the pods in prod", "show_pods",
     {"namespace": "prod"}),
    pytest.param(
        "what's wrong with checkout.prod?", "diagnose",
        {"deployment": "checkout", "namespace": "prod"},
        marks=pytest.mark.xfail(reason="the DNS-style name.namespace form is split into "
                                "words; some retrains still tag the name as the namespace",
                                strict=False),
    ),
    ("hey team, error rates are up since the 10:30 release and support is getting tickets. "
     "could you restart the orders-api deployment in the shop namespace? thanks!",
     "restart_deployment", {"deployment": "orders-api", "namespace": "shop"}),
    ("help", "help", {}),
    ("what can you do?", "help", {}),
    ("cancel", "cancel", {}),
    ("never mind", "cancel", {}),
    ("yes", "confirm", {}),
    ("go ahead", "confirm", {}),
    ("no", "deny", {}),
    ("undo that", "undo", {}),
    ("revert what you just did", "undo", {}),
]

OUT_OF_SCOPE_FIXTURES = [
    "create a networkpolicy for checkout in prod",
    "create an rbac role for the dev team",
    "create a statefulset for postgres",
    "helm install prometheus",
    "delete the namespace staging",
    "exec into the pod checkout-api-7d9f8b6c5-x2kqp",
    "how do i write a bash loop",
    "how much is our aws bill this month",
    "tell me a joke",
    "what's the weather like",
    "run a policy audit on the cluster",
    "good morning",
    "roll out a second copy of the search service with tag 2.4 next to the current one, "
    "as search-next",
    "create a new deployment called search-next from image search:2.4 in prod",
    "write me the yaml for a deployment of checkout with 3 replicas",
    "what is a pod?",
]

# Talk that names a change without asking the bot for it: the model itself reads it as out
# of scope since the shipped recipe trains on such talk (finetune/talk.py); the guards in
# the conversation are a second line. Written for this test, not taken from training data
# (though some share frames with talk.py's); the model shipped before read 7 of them as the
# change.
TALK_AROUND_CHANGES = [
    "we restarted checkout an hour ago and the errors came back anyway",
    "nobody drain node-7 until the batch finishes please",
    "@maria can you scale payments down to 2 once traffic drops",
    "if the canary keeps failing we'll roll back search-api tonight",
    "the hpa scaled cart to 12 replicas overnight",
    "thinking we should cordon worker-3 after lunch, thoughts?",
    "did someone delete the stuck pod in ledger? it's gone",
    "postmortem: the rollback of auth-svc took 9 minutes",
    "lol sure, let's just restart everything in prod and go home",
    "ops is uncordoning node-2 now, fyi",
    "should we bump the memory limit on inventory to 2Gi or wait?",
]


def test_model_knows_the_whole_catalogue(catalogue: Catalogue) -> None:
    directory = default_model_dir()
    meta = json.loads((directory / "meta.json").read_text())
    labels = json.loads((directory / "labels.json").read_text())
    expected = {name: sorted(slots) for name, slots in catalogue.fingerprint.items()}
    assert meta["catalogue"] == expected, (
        "the shipped NLU model was trained on another catalogue; retrain it with "
        "`chatops nlu train --output intents/model`"
    )
    assert set(catalogue.runbooks) <= set(labels["intents"])
    slots = {slot for rb in catalogue for slot in rb.slots}
    assert {f"B-{slot}" for slot in slots} <= set(labels["slots"])


@pytest.mark.parametrize(("text", "intent", "slots"), IN_SCOPE)
def test_realistic_messages(
    shipped_model: ModelParser, text: str, intent: str, slots: dict[str, str]
) -> None:
    parsed = shipped_model.parse(text)
    assert (parsed.intent, dict(parsed.slots)) == (intent, slots), parsed


@pytest.mark.parametrize("text", [
    "status?",  # the nodes' or a deployment's: no one scope, so the bot asks which
    "my laptop is crashing lol",
    "the build is failing on main",
    # The model saw a change in it: the conversation reads the fix asked for.
    "pod pricing-api-66d8c9b7f-9wqre in shop is failing, fix it",
])
def test_no_reading_stands_in_for_these(
        shipped_model: ModelParser, text: str) -> None:
    assert shipped_model.parse(text).intent == OUT_OF_SCOPE


@pytest.mark.parametrize("text", OUT_OF_SCOPE_FIXTURES)
def test_out_of_scope_messages(shipped_model: ModelParser, text: str) -> None:
    parsed = shipped_model.parse(text)
    assert parsed.intent == OUT_OF_SCOPE, parsed


@pytest.mark.parametrize("text", TALK_AROUND_CHANGES)
def test_talk_around_a_change_is_not_that_change(shipped_model: ModelParser,
                                                 text: str) -> None:
    parsed = shipped_model.parse(text)
    assert parsed.intent == OUT_OF_SCOPE, parsed


def test_spans_point_into_the_original_text(shipped_model: ModelParser) -> None:
    text = "<@U0123ABCD> restart `checkout-api` in `prod` :fire:"
    parsed = shipped_model.parse(text)
    assert parsed.spans
    for span in parsed.spans:
        assert text[span.start : span.end] == span.text


def test_unsure_mutating_intent_is_not_returned(shipped_model: ModelParser) -> None:
    strict = ModelParser(default_model_dir(), threads=1, threshold=1.01)
    parsed = strict.parse("restart checkout in prod")
    assert parsed.intent == OUT_OF_SCOPE
    assert parsed.alternatives[0][0] == "restart_deployment"
    # Read-only intents are answered whatever the threshold.
    assert strict.parse("show pods in kube-system").intent == "show_pods"


# A long message whose context drowns its request when read whole: the sentence that asks
# gives the intent, the whole message the names (session 46).
REQUEST_AFTER_CONTEXT = [
    ("Hi team, we got paged about elevated latency on the checkout flow about 10 minutes "
     "ago. Grafana shows checkout-api in payments with p99 at 4s. Can someone figure out "
     "what's wrong with it?", "diagnose", {"deployment": "checkout-api", "namespace": "payments"}),
    ("Sarah restarted checkout-api in payments this morning. Why is it still failing?",
     "diagnose", {"deployment": "checkout-api", "namespace": "payments"}),
    # A sentence that opens with a read's own imperative asks too (session 48).
    ("is anyone still on the old alpine base? list images cluster-wide", "list_images", {}),
    ("ip-10-0-88-14.ec2.internal got flagged as 95% memory allocated and two pods on it were "
     "OOM killed. Is it under memory pressure? Show me its status and capacity.",
     "node_status", {"node": "ip-10-0-88-14.ec2.internal"}),
]


@pytest.mark.parametrize("text", [
    # No sentence asks: a report, a plan of one's own.
    "We restarted orders in shop yesterday. It did not help.",
    "I'm going to roll back web-frontend in staging myself. Just wanted you to know.",
    # A change in a question without asking words: a complaint as often as an order (an
    # attacker set), so it gives no mutating intent on its own.
    "rollback orders again? at this point we should just rename rev 12 to 'prod'",
    "restart orders in shop again? at this point we should just give up on that service",
    # Session 49: a change read from the sentence that asks, on stricter terms, was tried
    # and taken out after an attacker review (BENCHMARKS.md, "NLU: session 49"); these
    # stay out of scope whatever the context makes of them.
    "The batch is still running. It should finish at noon. Let's restart orders in shop "
    "next time.",
    "Retro notes from yesterday. Would you roll back checkout-api in prod?",
    *(f"Security flagged a CVE in our base image, and the patched build is in the registry. "
      f"Tomás tested it on staging, all green. {last}" for last in (
          "Can you switch orders in shop to registry.acme.io/orders:1.9.2 next time?",
          "Can you switch orders in shop to registry.acme.io/orders:1.9.2 if it happens again?",
          "Switch orders in shop to registry.acme.io/orders:1.9.2 again?",
          "Dave! Can you switch orders in shop to registry.acme.io/orders:1.9.2?",
          "Can you switch orders in shop to registry.acme.io/orders:1.9.2? Restart cart later.",
      )),
    *(f"Customs backlog is around 30k declarations. orders is the bottleneck, each pod does "
      f"about 50/s. {last}" for last in (
          "Bump orders in shop up to 12 at some point.",
          "Priya! Please bump orders in shop up to 12.",
      )),
])
def test_no_sentence_asks_so_an_unsure_long_message_stays_unsure(
        shipped_model: ModelParser, text: str) -> None:
    assert shipped_model.parse(text).intent == OUT_OF_SCOPE


@pytest.mark.parametrize("text", [
    # Session 49: one-sentence requests read again without their asking words was tried
    # and taken out after an attacker review; these ask whether, not for, a change.
    "can we restart web-frontend in staging or would that make it worse?",
    "can we drain node-1 safely right now?",
    "could we restart checkout-api in prod if the error rate climbs?",
    "can we skip the rollback of checkout-api in payments?",
    "can we scale cart in shop to 0 lol?",
    # Names and no word of what to do with them (a resume at 0.95 before).
    "nightly-report in batch",
    "nightly-report",
    "the nightly-report cronjob in batch",
    # Not one thing's health: "we", a word of the day.
    "we good?",
    "lunch ok?",
])
def test_short_messages_that_ask_for_no_runbook_stay_unsure(
        shipped_model: ModelParser, text: str) -> None:
    assert shipped_model.parse(text).intent == OUT_OF_SCOPE


# A read of the wrong scope answered by the read the catalogue names for it (session 46):
# about one deployment (`one_workload`), about a whole namespace (`namespace_wide`), about
# a node (the one read that takes a node).
READ_INSTEAD = [
    ("which image is inventory-sync running in warehouse right now", "deployment_status",
     {"deployment": "inventory-sync", "namespace": "warehouse"}),
    ("what images does checkout-api run in payments", "deployment_status",
     {"deployment": "checkout-api", "namespace": "payments"}),
    ("ip-172-31-20-5.ec2.internal went NotReady for a couple of minutes earlier. is it "
     "actually healthy now?", "node_status", {"node": "ip-172-31-20-5.ec2.internal"}),
    ("what is wrong with node gke-pool-a-1234?", "node_status", {"node": "gke-pool-a-1234"}),
    # Not when the message names no deployment, or names its own object by kind.
    ("list images in payments", "list_images", {"namespace": "payments"}),
    # Nor about a word read as a deployment only because its own slot was taken, nor a
    # deployment named in a context sentence (attacker sets' requests).
    ("team, compliance wants to know which builds are live in payments right now",
     "list_images", {"namespace": "payments"}),
    ("release notes say checkout should be on v2.4.1 everywhere. which images are running "
     "in prod?", "list_images", {"namespace": "prod"}),
    ("release notes say cart should be on v9.3.0 in every env. which images are running in "
     "shop?", "list_images", {"namespace": "shop"}),
    ("what's the state of deploy/imgresize in media", "deployment_status",
     {"deployment": "imgresize", "namespace": "media"}),
]


# A name the model misses, found by its shape for a read (session 46); never for a change.
BY_SHAPE = [
    ("what's wrong with notif-dispatcher in comms", "diagnose",
     {"deployment": "notif-dispatcher", "namespace": "comms"}),
    ("which pods belong to notif-worker in comms", "show_pods",
     {"deployment": "notif-worker", "namespace": "comms"}),
    # With no namespace read either, a read that takes a namespace alone reads the name
    # as one; one that needs a deployment takes neither.
    ("whats wrong w/ notif-center", "diagnose", {"namespace": "notif-center"}),
    ("release 3.4 is tagged but the pipeline is broken. set notif-dispatcher in comms to "
     "ghcr.io/acme/notif-dispatcher:3.4.0 by hand please", "set_image",
     {"namespace": "comms", "image": "ghcr.io/acme/notif-dispatcher:3.4.0"}),
]


# One name alone in a health question, not a workload's by its shape, is a namespace; a
# read's namespace after "in" in another sentence (session 47).
NAME_ALONE = [
    ("is reporting healthy?", "diagnose", {"namespace": "reporting"}),
    ("how's team-search doing", "diagnose", {"namespace": "team-search"}),
    ("is ledger-writer ok", "diagnose", {"deployment": "ledger-writer"}),
    ("how is search-gw doing", "deployment_status", {"deployment": "search-gw"}),
    ("is cartsvc healthy?", "diagnose", {"deployment": "cartsvc"}),
    ("The ledger-writer pods were evicted twice overnight. They run in finance. Can you "
     "show me the recent events for it?", "recent_events",
     {"deployment": "ledger-writer", "namespace": "finance"}),
    ("The importer job started failing after the migration. It lives in warehouse. what's "
     "wrong with inventory-importer?", "diagnose",
     {"deployment": "inventory-importer", "namespace": "warehouse"}),
    # A read of a namespace only: the name the model read as a deployment.
    ("best-practice audit of reporting, the usual stuff", "pod_hygiene",
     {"namespace": "reporting"}),
    ("hygiene audit for checkout-api", "pod_hygiene", {}),
    # Trouble in Kubernetes' own words, the diagnosis weighed and no change: a diagnosis.
    ("ImagePullBackOff on quote-svc in sales, what happened?", "diagnose",
     {"deployment": "quote-svc", "namespace": "sales"}),
    ("ImagePullBackOff on feature-flags -n platform-tools, wtf", "diagnose",
     {"deployment": "feature-flags", "namespace": "platform-tools"}),
    # Sure it is a read of one scope, the model splits between two reads: the likelier.
    ("is calc-app healthy?", "deployment_status", {"deployment": "calc-app"}),
]


# Session 48: names by their place (`intents/places.py`): a read's namespace beside its
# object or last in a terse read, an object before its namespace's cue, `name.namespace`;
# and the parser's other new readings.
SESSION_48 = [
    ("deployment status webhooks-relay integrations", "deployment_status",
     {"deployment": "webhooks-relay", "namespace": "integrations"}),
    ("logs pls chat-relay realtime \U0001f64f", "pod_logs",
     {"deployment": "chat-relay", "namespace": "realtime"}),
    ("rollout history bol-renderer freight", "rollout_history",
     {"deployment": "bol-renderer", "namespace": "freight"}),
    ("how's ml-serving doing", "diagnose", {"namespace": "ml-serving"}),
    ("events customs", "recent_events", {"namespace": "customs"}),
    ("pods tracking", "show_pods", {"namespace": "tracking"}),
    ("show pods", "show_pods", {}),
    ("status of imgresize (media)", "deployment_status",
     {"deployment": "imgresize", "namespace": "media"}),
    ("rollout history of imgresize ns media", "rollout_history",
     {"deployment": "imgresize", "namespace": "media"}),
    # Trouble in plain words, with its object read by the DNS form: a diagnosis.
    ("ledger.billing is busted again", "diagnose",
     {"deployment": "ledger", "namespace": "billing"}),
    ("kubectl drain node-1 node-2", "oos", {}),
    # Questions about the bot in more of their forms.
    ("I'm new on call, how does this thing work?", "help", {}),
    ("/chatops help", "help", {}),
    ("how can you help me during an incident", "help", {}),
    # Sure it is a read of a namespace, the model unsure which: the namespace's scan.
    ("check everything in search please", "diagnose", {"namespace": "search"}),
    ("are all the workloads in yard healthy?", "diagnose", {"namespace": "yard"}),
    # Shorthand ("hist" is not: "rollback orders in shop per hist" read as the history, a
    # second review), and a hyphenated agent noun is a workload's name, not a namespace's.
    ("imgs customs", "list_images", {"namespace": "customs"}),
    ("cpu req 250m lim 1 for rate-quoter in pricing", "set_resources",
     {"cpu_request": "250m", "cpu_limit": "1", "deployment": "rate-quoter",
      "namespace": "pricing"}),
    ("rollout state carrier-webhooks?", "deployment_status", {"deployment": "carrier-webhooks"}),
    # A deployment's read of a name its words call a namespace: the namespace's scan.
    ("what's the state of the payments namespace overall", "diagnose",
     {"namespace": "payments"}),
    ("how is the mobile-backend namespace doing", "diagnose", {"namespace": "mobile-backend"}),
    # A health question the model leaves unsure, the diagnosis weighed and no change.
    ("sanity check team-growth before we demo", "diagnose", {"namespace": "team-growth"}),
    ("is the data-pipeline namespace healthy after last night's deploy?", "diagnose",
     {"namespace": "data-pipeline"}),
    ("is platform in good shape after the upgrade?", "diagnose", {"namespace": "platform"}),
]


def _probabilities(parser: ModelParser, **weights: float) -> npt.NDArray[np.float64]:
    """An intent distribution: the named intents' weights, the rest spread evenly."""
    intents = parser.intents
    rest = (1.0 - sum(weights.values())) / (len(intents) - len(weights))
    return np.asarray([weights.get(intent, rest) for intent in intents], dtype=np.float64)


@pytest.mark.parametrize(("weights", "expected"), [
    ({"diagnose": 0.43, "deployment_status": 0.17, "node_status": 0.15, "recent_events": 0.11,
      "show_pods": 0.08}, "diagnose"),
    # Not when a change was weighed, the reads fall short of the read bar, the diagnosis
    # was not weighed, the top read is of one pod (its name may be what was missed), or
    # the model answered.
    ({"diagnose": 0.43, "deployment_status": 0.17, "restart_deployment": 0.3}, None),
    ({"diagnose": 0.43, "oos": 0.4}, None),
    ({"rightsize": 0.5, "deployment_status": 0.3, "diagnose": 0.1}, None),
    ({"describe_pod": 0.5, "diagnose": 0.4}, None),
    ({"diagnose": 0.9}, None),
])
def test_a_read_of_a_namespace_when_unsure_which_read(
        shipped_model: ModelParser, weights: dict[str, float], expected: str | None) -> None:
    probs = _probabilities(shipped_model, **weights)
    assert shipped_model._a_read_of_a_namespace(probs) == expected


# Session 49: a question of how one thing is doing; a terse change's namespace after its
# values.
SESSION_49 = [
    ("billing ok?", "diagnose", {"namespace": "billing"}),
    ("prod ok?", "diagnose", {"namespace": "prod"}),
    ("is search all good?", "diagnose", {"namespace": "search"}),
    ("node pool-x8a2k-3c9df ok?", "node_status", {"node": "pool-x8a2k-3c9df"}),
    ("hpa max 20 search-api search", "set_autoscaling",
     {"max_replicas": "20", "deployment": "search-api", "namespace": "search"}),
]


@pytest.mark.parametrize(("text", "intent", "slots"),
                         [*REQUEST_AFTER_CONTEXT, *BY_SHAPE, *READ_INSTEAD, *NAME_ALONE,
                          *SESSION_48, *SESSION_49])
def test_readings_the_parser_makes_beyond_the_model(
    shipped_model: ModelParser, text: str, intent: str, slots: dict[str, str]
) -> None:
    """The sentence that asks for a read, a name found by its shape for a read only, a
    read of another scope answered by the catalogue's read for it (session 46)."""
    parsed = shipped_model.parse(text)
    assert (parsed.intent, dict(parsed.slots)) == (intent, slots), parsed


@pytest.mark.parametrize(("text", "wrong"), [
    # A second attacker review (session 46): for a change, the container of kubectl's
    # `container=image` became the namespace, and two names side by side a deployment
    # and its namespace.
    ("kubectl set image deployment/cart orders=nginx:1.25", {"namespace": "orders"}),
    ("set image of cart orders to nginx:1.25", {"namespace": "orders"}),
    ("restart cart orders", {"namespace": "orders"}),
    ("scale cart orders to 3", {"namespace": "orders"}),
    ("set memory limit of cart orders to 1Gi", {"namespace": "orders"}),
    # Nor does session 48's reading of a read's terse "object namespace" swap a change's
    # object, nor the object before a namespace's cue take a name ruled out or of another
    # kind.
    ("resume cache-warmer search", {"namespace": "search"}),
    ("rollback bol-renderer freight asap", {"namespace": "freight"}),
    ("restart everything except cart -n shop", {"deployment": "cart"}),
    ("Our staging db keeps running out of disk. Can you resize the PVC data-postgres-0 in "
     "staging-db to 200Gi?", {"deployment": "data-postgres-0"}),
    # Session 48's attacker review of the first version: in a change, the name before a
    # namespace's cue or in `name.namespace` is as often the one to leave alone, and the
    # model's own object too when words leave it out.
    ("restart everything other than api -n billing", {"deployment": "api"}),
    ("restart the rest, api -n billing is fine", {"deployment": "api"}),
    ("api -n billing is fine, restart the others", {"deployment": "api"}),
    ("restart all, api ns billing excluded", {"deployment": "api"}),
    ("restart everything but : api -n billing", {"deployment": "api"}),
    ("restart everything besides the deployment api -n billing", {"deployment": "api"}),
    ("restart everything other than calc-app -n w3f2a-prod", {"deployment": "calc-app"}),
    ("restart the rest, calc-app -n w3f2a-prod is fine", {"deployment": "calc-app"}),
    ("restart the rest, api.billing is fine", {"deployment": "api"}),
    ("please restart.billing is on fire", {"deployment": "restart"}),
    ("scale imgresize (media) to 3", {"deployment": "imgresize"}),
    # A second review: a third name, or words that say "several", read no namespace by
    # place for a change.
    ("scale checkout-api payments ledger to 0", {"namespace": "payments"}),
    ("scale api billing web to 0", {"namespace": "billing"}),
    ("restart both: api billing", {"namespace": "billing"}),
    ("restart deployments api billing", {"namespace": "billing"}),
    ("restart 2 deployments: api billing", {"namespace": "billing"}),
    ("set api billing web cpu limit to 1", {"namespace": "billing"}),
    # Left after the second review, then done: a required slot filled from a word the model
    # did not tag is no name said to be fine, and more ways to leave a name out.
    ("restart the others, api in billing is fine", {"deployment": "api"}),
    ("restart all bar api in billing", {"deployment": "api"}),
    ("restart everything sans api -n billing", {"deployment": "api"}),
    ("restart everything save api in billing", {"deployment": "api"}),
    ("api in billing ok, restart the rest", {"deployment": "api"}),
])
def test_a_change_guesses_no_namespace_by_a_name_s_place(
        shipped_model: ModelParser, text: str, wrong: dict[str, str]) -> None:
    # Since session 48 a change may read the namespace right after its object, but only
    # marked `placed`: the conversation keeps it where the cluster has the object in it
    # (tests/conversation/test_placed.py, tests/security/test_review_48.py).
    parsed = shipped_model.parse(text)
    assert not wrong.items() <= dict(parsed.slots).items() or set(wrong) <= parsed.placed, (
        parsed)


@pytest.mark.parametrize(("text", "wrong"), [
    # A probe (session 47): the namespace or object a message says is fine, or rules out,
    # became the change's target; each was planned there.
    ("restart ledger-api. everything in staging is fine", {"namespace": "staging"}),
    ("restart ledger-api please, nothing in staging is affected", {"namespace": "staging"}),
    ("restart checkout-api, staging is fine", {"namespace": "staging"}),
    ("restart checkout-api except in staging", {"namespace": "staging"}),
    ("restart checkout-api in staging, prod is fine", {"namespace": "prod"}),
    ("restart it in prod, checkout-api is fine", {"deployment": "checkout-api"}),
    ("cordon node-2, node-1 is fine", {"node": "node-1"}),
    ("drain it, node-3 is healthy", {"node": "node-3"}),
    # No other name takes the place of one said to be fine (the bot asks), and health in
    # the past, taken back or denied is no "all is well" (a second attacker review: each
    # planned the change on the other node or namespace).
    ("cordon node-2, node-1 is fine", {"node": "node-1"}),
    ("node-1 was fine before the upgrade; node-2 is next to it. please drain",
     {"node": "node-2"}),
    ("node-1 looks healthy to k8s but users see 500s; same rack as node-2. drain it",
     {"node": "node-2"}),
    ("never seen node-1 like this - node-2 is next to it; cordon it", {"node": "node-2"}),
    ("node-1 is far from ok, node-2 is its twin. drain it", {"node": "node-2"}),
    ("staging was ok yesterday - unlike payments; restart checkout-api",
     {"namespace": "payments"}),
    # Nor does a change take a namespace from "in X" in another sentence.
    ("Retro: everything in staging was slow. Please restart ledger-api.",
     {"namespace": "staging"}),
])
def test_a_change_is_not_made_where_the_message_says_all_is_well(
        shipped_model: ModelParser, text: str, wrong: dict[str, str]) -> None:
    parsed = shipped_model.parse(text)
    assert not wrong.items() <= dict(parsed.slots).items(), parsed


@pytest.mark.parametrize(("text", "slots"), [
    # A second review of session 48: a set-aside word that does not end its clause, and
    # "everything but" joining two clauses, leave the object alone.
    ("api in billing skipped the rollout, set image nginx:1.25 on it", {"deployment": "api"}),
    ("we restarted everything but the api in billing is still stuck, restart it again",
     {"deployment": "api"}),
    ("restart checkout-api in staging, it is down", {"namespace": "staging"}),
    ("restart checkout-api in prod, staging is fine", {"namespace": "prod"}),
    # Trouble said of the object is no "all is well" (an attacker review of the first
    # version dropped the object of a hundred such messages).
    ("orders is no longer healthy, bounce it", {"deployment": "orders"}),
    ("orders doesn't look ok, restart it in shop", {"deployment": "orders"}),
    ("orders isn't fine since the deploy, restart it in shop", {"deployment": "orders"}),
])
def test_the_change_asked_keeps_its_target(shipped_model: ModelParser, text: str,
                                           slots: dict[str, str]) -> None:
    parsed = shipped_model.parse(text)
    assert slots.items() <= dict(parsed.slots).items(), parsed


def test_an_unsure_long_message_is_read_again_a_bounded_number_of_times() -> None:
    """A second review's padding: "please." three thousand times read each sentence again,
    one model run each (17 s); the last few that ask are read, whatever the length."""
    from dataclasses import replace

    from intents.parser import SENTENCES_READ

    parser = ModelParser(default_model_dir(), threads=1)
    parser.load()
    loaded = parser._model()
    runs: list[int] = []

    class Counting:
        def run(self, *args: object, **kwargs: object) -> object:
            runs.append(1)
            return loaded.session.run(*args, **kwargs)  # type: ignore[arg-type]

    parser._loaded = replace(loaded, session=Counting())  # type: ignore[arg-type]
    parser.parse("please. " * 3000)
    assert 1 < len(runs) == 1 + SENTENCES_READ <= 6
    # With the catalogue, as the bot wires it, too (session 49).
    from chatops.runbook.catalogue import load_catalogue

    wired = ModelParser(default_model_dir(), threads=1, catalogue=load_catalogue())
    wired.load()
    wired._loaded = replace(wired._model(), session=Counting())  # type: ignore[arg-type]
    runs.clear()
    wired.parse("Could you check it? " * 2000 + "Bump orders in shop to 12.")
    assert 1 < len(runs) == 1 + SENTENCES_READ
