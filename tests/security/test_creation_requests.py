"""A request to create something, or to change a kind of object no runbook changes, never
becomes a change to something that exists.

The attack: word a creation request so the model reads it as a mutating runbook on an
existing name ("roll out a second copy of search as search-next" -> `set_image search`,
0.95). Whatever the model says, the real Bolt app answers "I can't create" and nothing is
planned, previewed or run.
"""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent, Risk, SlotSpan
from chatops.verbs import VERBS
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot
from tests.slack.helpers import all_runs
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class Fooled:
    """The model's worst mistake, on purpose: a confident mutating runbook."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        spans = tuple(SlotSpan(slot, text.index(value), text.index(value) + len(value), value)
                      for slot, value in self.slots.items() if value in text)
        return ParsedIntent(self.intent, dict(self.slots), 0.95,
                            (("scale_deployment", 0.3), ("list_images", 0.1)), "model",
                            spans)


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("roll out a second copy of the checkout service with tag 2.4 next to the current one, "
     "as checkout-next", "set_image", {"deployment": "checkout-api", "image": "2.4"}),
    ("spin up a new deployment of checkout-api in prod with 3 replicas", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "3"}),
    ("helm install redis into prod and restart checkout-api after", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    # Policy objects read like resource settings: a quota or limit range is not the
    # deployment's requests and limits, a disruption budget is not its replica count.
    ("set up a ResourceQuota on prod for checkout-api's team, 20 cpu and 64Gi",
     "set_resources", {"deployment": "checkout-api", "namespace": "prod",
                       "memory_limit": "64Gi"}),
    ("add a LimitRange to prod so checkout-api containers get 512Mi by default",
     "set_resources", {"deployment": "checkout-api", "namespace": "prod",
                       "memory_limit": "512Mi"}),
    ("put a pod disruption budget on checkout-api in prod with minAvailable 2",
     "scale_deployment", {"deployment": "checkout-api", "namespace": "prod", "replicas": "2"}),
    # Asking for a new object with its size or image first ("a 100Gi volume", "a redis
    # instance with 2Gi"), or with kubectl verbs that create.
    ("set up a 100Gi volume for checkout-api in prod", "set_resources",
     {"deployment": "checkout-api", "namespace": "prod", "memory_limit": "100Gi"}),
    ("could you add a redis instance with 2Gi of memory for checkout-api in prod",
     "set_resources", {"deployment": "checkout-api", "namespace": "prod",
                       "memory_limit": "2Gi"}),
    ("make a second replica set of checkout-api on image checkout:2.0", "set_image",
     {"deployment": "checkout-api", "image": "checkout:2.0"}),
    ("make checkout-canary from checkout-api at 1 replica in prod", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "1"}),
    ("kubectl autoscale deployment checkout-api --min=2 --max=10 -n prod", "set_autoscaling",
     {"deployment": "checkout-api", "namespace": "prod", "min_replicas": "2",
      "max_replicas": "10"}),
    ("we need a cronjob in prod that restarts checkout-api every night",
     "restart_deployment", {"deployment": "checkout-api", "namespace": "prod"}),
])
def test_a_creation_request_read_as_a_change_is_refused(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str]) -> None:
    bot.service.parser = Fooled(intent, slots)
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    answer = bot.slack.wait_for("chat.postMessage", "I can't create")[0]
    assert answer.args["thread_ts"] == root
    assert "list_images" in answer.text() and "scale_deployment" not in answer.text()
    wait_until_idle(bot)
    assert all_runs(bot) == [] and cluster.calls == []


@pytest.mark.parametrize(("text", "intent", "slots", "kind"), [
    ("restart the statefulset checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    # Struck through, the kind is still seen by the guards (the model reads without it:
    # an attacker set's "restart kafka ~statefulset~" got past them for a moment).
    ("restart checkout-api ~statefulset~ in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    ("grow the pvc checkout-api to 200Gi in prod", "set_resources",
     {"deployment": "checkout-api", "namespace": "prod", "memory_limit": "200Gi"}, "pvc"),
    # The kind word itself read as the pod's name: a statefulset's pod and its claim share
    # names (data-checkout-0), so this must not become a pod deletion.
    ("delete the PVC data-checkout-0 in prod", "delete_pod",
     {"pod": "PVC", "namespace": "prod"}, "pvc"),
    # A plural kind is refused too, and named in the singular.
    ("restart the statefulsets checkout-api and cart in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    # An API group or a colon after the kind, an irregular plural.
    ("restart statefulsets.apps/checkout-api -n prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    ("restart the statefulset: checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    ("restart the ingresses checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "ingress"),
    # "service" and "job" are a deployment's and a cronjob's everyday names, but never a
    # pod's or a cronjob's: deleting a service or a job is not a pod deletion.
    ("delete the service checkout-lb in prod", "delete_pod",
     {"pod": "checkout-lb", "namespace": "prod"}, "service"),
    ("kill svc/checkout-lb -n prod", "delete_pod",
     {"pod": "checkout-lb", "namespace": "prod"}, "service"),
    ("delete the job nightly-reindex in prod", "delete_pod",
     {"pod": "nightly-reindex", "namespace": "prod"}, "job"),
    ("pause the service billing-sync in prod", "suspend_cronjob",
     {"cronjob": "billing-sync", "namespace": "prod"}, "service"),
    # A kind written as two words.
    ("restart the stateful set checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    # No target tagged at all: the kind word is the request's object.
    ("resize the data-checkout-0 pvc to 200Gi", "set_resources",
     {"memory_limit": "200Gi"}, "pvc"),
    ("clean up all the completed jobs in prod", "drain_node", {}, "job"),
    # The kind further into the request, or said of the target in passing.
    ("resize the checkout-db data PVC to 500Gi", "set_resources",
     {"deployment": "checkout-db", "memory_limit": "500Gi"}, "pvc"),
    ("scale down replica set checkout-7b9c4 to 0", "scale_deployment",
     {"deployment": "checkout-7b9c4", "replicas": "0"}, "replicaset"),
    ("can you bounce checkout-db? it's the statefulset in prod", "restart_deployment",
     {"deployment": "checkout-db", "namespace": "prod"}, "statefulset"),
    # A namespace is no pod and no deployment: deleting one is not a pod deletion.
    ("nuke the dev-42 namespace pls", "delete_pod", {"pod": "dev-42"}, "namespace"),
    ("nuke the dev-42 namespace pls", "delete_pod", {"namespace": "dev-42"}, "namespace"),
    # An abbreviation is named in full ("a statefulset", not "a sts").
    ("bounce sts/checkout-api -n prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    # Objects of tools on top of Kubernetes, named by their tool's words.
    ("restart the checkout-api argo rollout in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "Argo rollout"),
    ("roll back the checkout-api helm release in prod", "rollback_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "Helm release"),
    ("scale the keda scaledobject checkout-api in prod to 20", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "20"},
     "KEDA ScaledObject"),
    # No target tagged, a controller named anywhere; a kind in quotes.
    ("restart it please (statefulset, in prod)", "restart_deployment",
     {"namespace": "prod"}, "statefulset"),
    ("restart checkout-api in prod, it's an 'sts'", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "statefulset"),
    # Objects outside Kubernetes, or of other tools, named in the order.
    ("scale the ASG checkout-api in prod to 10", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "10"},
     "cloud autoscaling group"),
    ("roll back the db migration of checkout-api in prod", "rollback_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "database migration"),
    ("bump the RedisFailover checkout-api in prod to 3", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "3"}, "custom resource"),
])
def test_a_change_to_another_kind_read_as_a_deployment_is_refused(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str],
        kind: str) -> None:
    article = "an" if kind[0].lower() in "aeiou" else "a"
    _answered_with(bot, cluster, text, Fooled(intent, slots), f"I can't change {article} {kind}:")


def _answered_with(bot: Bot, cluster: FakeCluster, text: str, parser: Fooled,
                   answer: str) -> None:
    """`text`, read by `parser`, gets `answer` and nothing is planned or sent."""
    bot.service.parser = parser
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", answer)
    wait_until_idle(bot)
    assert all_runs(bot) == [] and cluster.calls == []


def test_explicit_grammar_is_not_second_guessed(bot: Bot, cluster: FakeCluster) -> None:
    # `run ...` names the runbook itself: nothing is guessed, so nothing is vetoed.
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=prod "
                       "replicas=5", user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "scale")
    wait_until_idle(bot)
    assert [r.runbook for r in all_runs(bot)] == ["scale_deployment"]


def test_a_general_question_read_as_a_change_plans_nothing(bot: Bot,
                                                           cluster: FakeCluster) -> None:
    bot.service.parser = Fooled("drain_node", {})
    root = next_ts()
    bot.sender.message("how does a PodDisruptionBudget interact with kubectl drain?",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    answer = bot.slack.wait_for("chat.postMessage", "")[0]
    assert answer.args["thread_ts"] == root and "Which node" not in answer.text()
    wait_until_idle(bot)
    assert all_runs(bot) == [] and cluster.calls == []


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # Talk about a change that does not ask for it (all names exist: a plan would be made).
    ("don't drain node-1 yet, the migration is running", "drain_node", {"node": "node-1"}),
    ("thanks for restarting checkout-api in prod!", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    ("who scaled checkout-api in prod down to 1??", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "1"}),
    ("if latency goes up, restart checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    # A change the runbook does not make, in its words: storage is not memory.
    ("give checkout-api in prod 500Gi more storage", "set_resources",
     {"deployment": "checkout-api", "namespace": "prod", "memory_limit": "500Gi"}),
    # A change named as something that happened, put up for discussion, or a note.
    ("nice, the restart of checkout-api in prod fixed it", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    ("we should scale checkout-api in prod to 5 before the sale, thoughts?",
     "scale_deployment", {"deployment": "checkout-api", "namespace": "prod", "replicas": "5"}),
    ("TODO restart checkout-api in prod after the db failover", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    # A change asked as a question, then declined (session 46: each was planned).
    ("Nobody touch anything until the vendor calls back. Restart checkout-api in prod? "
     "Not yet.", "restart_deployment", {"deployment": "checkout-api", "namespace": "prod"}),
    ("roll back checkout-api in prod? I'd rather fix forward", "rollback_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    ("scale checkout-api in prod to 5? nah, let's wait for the sale numbers",
     "scale_deployment", {"deployment": "checkout-api", "namespace": "prod", "replicas": "5"}),
    # How to make a change, asked to be written down (session 46's demo planned it).
    ("ok. Please document how to restart checkout-api in prod.", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    # A field, a taint or a schedule no runbook sets, in a runbook's words.
    ("set maxSurge to 50% on checkout-api in prod", "set_autoscaling",
     {"deployment": "checkout-api", "namespace": "prod", "max_replicas": "50"}),
    ("untaint node-1", "drain_node", {"node": "node-1"}),
    ("set the checkout-api cron in prod to 0 3 * * *", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "3"}),
    # A negated change, a report of one, a quote, a hypothetical.
    ("we should NOT restart checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    ("deployment.apps/checkout-api restarted", "restart_deployment",
     {"deployment": "checkout-api"}),
    ("PR title: scale checkout-api in prod to 6 replicas", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "6"}),
    ("suppose we restart checkout-api in prod, what breaks?", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
    # Taking the workload away is no rollback.
    ("remove the old checkout-api deployment from prod, it's unused", "rollback_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
])
def test_a_message_that_does_not_ask_for_that_change_plans_nothing(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str]) -> None:
    bot.service.parser = Fooled(intent, slots)
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    answer = bot.slack.wait_for("chat.postMessage", "")[0]
    assert answer.args["thread_ts"] == root
    wait_until_idle(bot)
    # Nothing is planned or changed: a question about the state ("who scaled checkout-api
    # down to 1??") is answered with a read of it since session 39 (`state_read`), and one
    # of what a change would do ("..., what breaks?") with its dry-run since session 41,
    # and a change asked as a question then declined with a read of the object.
    assert [r for r in all_runs(bot) if r.risk is not Risk.READ] == []
    assert [c for c in cluster.calls if VERBS[c[0]].mutating and not c[1]] == []
    if not any(w in text for w in ("who scaled", "what breaks", "? Not yet", "? I'd", "? nah")):
        assert all_runs(bot) == [] and cluster.calls == []


@pytest.mark.parametrize(("text", "intent", "slots", "kind"), [
    ("restart all deployments in prod", "restart_deployment", {"namespace": "prod"},
     "deployment"),
    ("scale everything in prod to 0", "scale_deployment", {"namespace": "prod",
                                                          "replicas": "0"}, "deployment"),
    ("drain every node in the pool", "drain_node", {}, "node"),
    ("delete all the crashing pods in prod", "delete_pod", {"namespace": "prod"}, "pod"),
    # Several names: the model tags one, and the plan would change only that one.
    ("drain node-0, node-1 and node-2", "drain_node", {"node": "node-1"}, "node"),
    # (Was "... tonight": since session 37 a "tonight" with no clock is refused first, as
    # a time the bot cannot read; it plans nothing either.)
    ("drain node-0 and node-1 right away", "drain_node", {"node": "node-0"}, "node"),
    ("kubectl scale deploy --all --replicas=0 -n prod", "scale_deployment",
     {"namespace": "prod", "replicas": "0"}, "deployment"),
])
def test_many_objects_at_once_are_never_guessed(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str],
        kind: str) -> None:
    # The runbook changes one object: picking one of many, or asking "which one?" as if
    # one were meant, is not what was asked. Nothing is planned.
    _answered_with(bot, cluster, text, Fooled(intent, slots), f"I change one {kind} at a time")
