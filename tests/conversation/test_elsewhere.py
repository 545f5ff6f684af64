"""Guards for orders that point away from what the runbooks change (session 27): a stateful
system's member or an operator's resource as the target (`stateful.py`), a verb no runbook
does (`other_verbs.py`), words said to a colleague, a field or variable by its spelling, a
disk's size, two names at once, a question about the bot (`asking.py`). And the everyday
requests beside each, which must still be requests."""

from __future__ import annotations

import pytest

from chatops.conversation.asking import (
    addressed_elsewhere,
    bulk_request,
    general_question,
    other_change,
)
from chatops.conversation.guards import guard
from chatops.conversation.kinds import other_kind
from chatops.conversation.other_verbs import foreign_verb
from chatops.conversation.stateful import stateful_target
from chatops.model import SlotSpan

_DEPLOYMENT = ("deployment", "namespace")
_RESOURCES = ("deployment", "namespace", "container", "memory_limit", "cpu_limit")


def _spans(text: str, **slots: str) -> list[SlotSpan]:
    return [SlotSpan(slot, text.index(value), text.index(value) + len(value), value)
            for slot, value in slots.items()]


@pytest.mark.parametrize(("text", "slots", "kind"), [
    # A member or part of a stateful system, by its role.
    ("restart the zookeeper followers in infra", {"deployment": "followers"},
     "stateful cluster"),
    ("bounce the mysql replica set", {"deployment": "mysql"}, "stateful cluster"),
    ("kill the orders-db primary pod", {"pod": "primary"}, "stateful cluster"),
    ("scale the cassandra ring to 6", {"deployment": "cassandra"}, "stateful cluster"),
    ("restart the opensearch master nodes", {"deployment": "opensearch"}, "stateful cluster"),
    ("set memory on the spark executors to 16Gi", {"deployment": "executors"},
     "stateful cluster"),
    # An operator's object, by what the operator calls it or by the system's name.
    ("roll back the mongodb resource orders-mongo", {}, "custom resource"),
    ("scale the clickhouse cluster events-ch to 4", {"deployment": "events-ch"},
     "custom resource"),
    ("restart the prometheus instance k8s", {"deployment": "prometheus"}, "custom resource"),
    ("bump the cnpg billing-pg to 3", {"deployment": "billing-pg"}, "custom resource"),
    ("scale the PostgresCluster to 3 replicas", {"deployment": "PostgresCluster"},
     "custom resource"),
    ("restart the KafkaConnect for orders", {}, "custom resource"),
    # One pod on every node: a daemonset, whatever its name.
    ("restart fluent-bit, the one that runs on every node", {"deployment": "fluent-bit"},
     "daemonset"),
])
def test_a_stateful_member_or_an_operator_s_object_is_found(
        text: str, slots: dict[str, str], kind: str) -> None:
    runbook = ("pod", "namespace") if "pod" in slots else _DEPLOYMENT
    assert stateful_target(text, _spans(text, **slots), runbook) == kind


@pytest.mark.parametrize(("text", "slots"), [
    ("restart checkout after the kafka brokers came back", {"deployment": "checkout"}),
    ("restart the redis session-cache in web", {"deployment": "session-cache"}),
    ("restart primary in orders", {"deployment": "primary"}),
    ("scale the brokers deployment to 3", {"deployment": "brokers"}),
    ("restart kafka-connect, it lost its workers", {"deployment": "kafka-connect"}),
    ("restart the kafka consumers in ingest", {"deployment": "kafka"}),
    ("restart checkout in prod", {"deployment": "checkout"}),
    ("drain the node the postgres primary is on", {"node": "node"}),
])
def test_a_request_that_only_mentions_a_stateful_system_is_fine(
        text: str, slots: dict[str, str]) -> None:
    runbook = ("node",) if "node" in slots else _DEPLOYMENT
    assert stateful_target(text, _spans(text, **slots), runbook) is None


@pytest.mark.parametrize(("text", "verb"), [
    ("can you purge the dead-letter queue for orders", "purge"),
    ("pls decommission legacy-billing", "decommission"),
    ("the primary is gone. fail over to the replica", "fail over"),
    ("just rotate the api keys on checkout", "rotate"),
    ("migrate payments to the new cluster", "migrate"),
    ("go ahead and reindex search in prod", "reindex"),
    ("could you port-forward checkout to 8080", "port-forward"),
    ("exec into the checkout pod and clear /tmp", "exec"),
    ("move worker onto the gpu pool", "move"),
    ("we need to sunset orders-v1 this week", "sunset"),
])
def test_a_verb_no_runbook_does_is_found(text: str, verb: str) -> None:
    assert foreign_verb(text) == verb


@pytest.mark.parametrize("text", [
    "restart checkout, then flush the cache yourself",
    "move everything off node-9",
    "migrate the pods off worker-3 pls",
    "checkout keeps crashing, restart it",
    "ack, restart api",
    "page went off for checkout. restart it please",
    "trace shows timeouts, roll back api",
    "roll back api to the tag before",
    "drop checkout to 2 replicas",
    "scale checkout to 4",
])
def test_a_runbook_s_verb_or_a_noun_is_no_other_verb(text: str) -> None:
    assert foreign_verb(text) is None


@pytest.mark.parametrize(("text", "slots", "addressed"), [
    ("@maria could you bounce checkout when you're back", {"deployment": "checkout"}, True),
    ("tom, can you roll back api after lunch", {"deployment": "api"}, True),
    ("kate: please drain node-4 when the deploy is done", {"node": "node-4"}, True),
    ("hey raj, could you scale orders to 3?", {"deployment": "orders"}, True),
    # The bot's own handles, a group, a name the model took for a slot, no name.
    ("@ops can you restart checkout", {"deployment": "checkout"}, False),
    ("@here can you restart checkout", {"deployment": "checkout"}, False),
    ("checkout, please restart it", {"deployment": "checkout"}, False),
    ("team, can you restart checkout?", {"deployment": "checkout"}, False),
    ("can you restart checkout, @maria fyi", {"deployment": "checkout"}, False),
    ("urgent: please restart checkout", {"deployment": "checkout"}, False),
    # A word called out with "!" is no address: a greeting or a cry looks the same.
    ("Diego! please roll back checkout", {"deployment": "checkout"}, False),
    ("Morning! can you restart orders", {"deployment": "orders"}, False),
    # Cries before a comma address nobody.
    ("emergency, please restart checkout", {"deployment": "checkout"}, False),
    ("wtf, can you restart checkout", {"deployment": "checkout"}, False),
])
def test_words_said_to_a_colleague_are_found(text: str, slots: dict[str, str],
                                             addressed: bool) -> None:
    assert addressed_elsewhere(text, _spans(text, **slots)) is addressed


@pytest.mark.parametrize(("slots", "text", "other"), [
    (_DEPLOYMENT, "set revisionHistoryLimit to 3 on checkout", True),
    (_DEPLOYMENT, "update the serviceAccountName of api to api-sa", True),
    (_DEPLOYMENT, "set LOG_LEVEL to debug on checkout", True),
    (_DEPLOYMENT, "give orders DB_POOL_SIZE=20", True),
    (_DEPLOYMENT, "change the termination grace period of worker to 60s", True),
    (_RESOURCES, "give the search deployment 500Gi", True),
    (_RESOURCES, "bump ledger to 2Ti", True),
    # The runbooks' own fields, and memory said as memory.
    (("deployment", "namespace", "min_replicas", "max_replicas"),
     "set maxReplicas to 20 on checkout", False),
    (_RESOURCES, "give the search deployment 128Gi of memory", False),
    (_RESOURCES, "set checkout's memory limit to 3Gi", False),
    (_DEPLOYMENT, "set CPU=2 on checkout", False),
])
def test_a_field_by_its_spelling_or_a_disk_s_size_is_another_change(
        slots: tuple[str, ...], text: str, other: bool) -> None:
    assert other_change(slots, text) is other


@pytest.mark.parametrize(("text", "slots", "many"), [
    ("scale cart and checkout to 3", {"deployment": "cart"}, "deployment"),
    ("restart orders & payments in prod", {"deployment": "orders"}, "deployment"),
    ("restart checkout and wait for it", {"deployment": "checkout"}, None),
    ("roll back api and tell me when done", {"deployment": "api"}, None),
])
def test_two_plain_names_at_once_are_many(text: str, slots: dict[str, str],
                                           many: str | None) -> None:
    assert bulk_request(text, _spans(text, **slots), _DEPLOYMENT) == many


@pytest.mark.parametrize("text", [
    "could you drain nodes, or is that not a thing you do?",
    "can you scale deployments or only restart them?",
    "what's the kubectl flag for a graceful drain?",
    "is there a cheat sheet for rollout undo?",
])
def test_a_question_about_the_bot_or_a_command_is_general(text: str) -> None:
    assert general_question(text, [])


@pytest.mark.parametrize(("text", "slots", "kind"), [
    ("scale the rollout orders to 4", {"deployment": "orders"}, "Argo rollout"),
    ("restart the clickhouse ss", {}, "statefulset"),
    ("suspend the github webhook", {"cronjob": "webhook"}, "webhook"),
    ("pause alice's user", {"cronjob": "user"}, "user account"),
])
def test_more_kinds_are_found(text: str, slots: dict[str, str], kind: str) -> None:
    target = next(iter(slots), "deployment")
    assert other_kind(text, _spans(text, **slots), target) == kind


@pytest.mark.parametrize(("text", "slots"), [
    ("undo the rollout of orders", {"deployment": "orders"}),
    ("resume ledger-report namespace: uat", {"cronjob": "ledger-report"}),
    ("disable the billing-sync cron job ns: batch", {"cronjob": "billing-sync"}),
])
def test_a_rollout_of_a_deployment_or_a_namespace_label_is_no_kind(
        text: str, slots: dict[str, str]) -> None:
    target = next(iter(slots))
    assert other_kind(text, _spans(text, **slots), target) is None


def test_the_guards_turn_each_class_down() -> None:
    """The verdict gathers them: each class turns a mutating reading down."""
    cases = [
        ("bounce the etcd members", {"deployment": "members"}, _DEPLOYMENT),
        ("flush the cdn cache for web", {"deployment": "web"}, _DEPLOYMENT),
        ("@lee can you restart web", {"deployment": "web"}, _DEPLOYMENT),
    ]
    for text, slots, runbook in cases:
        assert guard(text, _spans(text, **slots), runbook).turned_down, text
    assert not guard("restart web in prod", _spans("restart web in prod", deployment="web"),
                     _DEPLOYMENT).turned_down


@pytest.mark.parametrize(("text", "slots", "runbook"), [
    # Politeness put as a condition, a need said ahead, an order after a negation or a
    # question, sarcasm before a separate order, a participle asked for now.
    ("if you don't mind, restart ledger in prod", {"deployment": "ledger"}, _DEPLOYMENT),
    ("it would be great if you could scale ledger to 3", {"deployment": "ledger"},
     _DEPLOYMENT),
    ("if possible, cordon node-12 before lunch", {"node": "node-12"}, ("node",)),
    ("we're gonna need ledger restarted in prod", {"deployment": "ledger"}, _DEPLOYMENT),
    ("don't bother with the pdb, just drain node-12", {"node": "node-12"}, ("node",)),
    ("why is it slow? either way, restart ledger in prod", {"deployment": "ledger"},
     _DEPLOYMENT),
    ("oh great, ledger is down again. restart it in prod", {"deployment": "ledger"},
     _DEPLOYMENT),
    ("ledger restarted in prod right away please", {"deployment": "ledger"}, _DEPLOYMENT),
    ("ledger was restarted an hour ago but it needs another restart now",
     {"deployment": "ledger"}, _DEPLOYMENT),
    # Creation words about events or what something has, a kind compared to.
    ("we launch the summer sale at noon, scale ledger to 9", {"deployment": "ledger"},
     _DEPLOYMENT),
    ("node-12 has a new disk attached, uncordon node-12", {"node": "node-12"}, ("node",)),
    ("give ledger a 1Gi memory limit, same as the kafka statefulset",
     {"deployment": "ledger"}, _RESOURCES),
    # A tool's word that names a deployment's part, or a place, or a modifier of a node.
    ("restart the jenkins agents in ci", {"deployment": "agents"}, _DEPLOYMENT),
    ("scale ledger in prod eu-west-1 to 6", {"deployment": "ledger"}, _DEPLOYMENT),
    ("drain the ec2 node ip-10-1-2-3.internal", {"node": "ip-10-1-2-3.internal"}, ("node",)),
    ("restart CoreDNS in kube-system", {"deployment": "CoreDNS"}, _DEPLOYMENT),
    # kubectl with the name after the namespace; a version taken back is a rollback.
    ("kubectl rollout restart deploy -n prod ledger", {"deployment": "ledger"}, _DEPLOYMENT),
    ("get rid of v4.1.0 on ledger, back to the previous revision", {"deployment": "ledger"},
     ("deployment", "namespace", "revision")),
    # Context after a resources order, timing in a resume.
    ("raise ledger's limit to 2Gi, the payload size grew", {"deployment": "ledger"},
     _RESOURCES),
    ("turn ledger-report back on, it should fire every 10 minutes",
     {"cronjob": "ledger-report"}, ("cronjob", "namespace")),
    # A review word beside an explicit ask.
    ("looks good to me, please restart ledger in prod", {"deployment": "ledger"},
     _DEPLOYMENT),
    # The runbooks' own wordings, which the model was trained on.
    ("restore the previous revision of ledger", {"deployment": "ledger"},
     ("deployment", "namespace", "revision")),
    ("unblock scheduling on node node-12", {"node": "node-12"}, ("node",)),
    ("restart the schedule of ledger-report in prod", {"cronjob": "ledger-report"},
     ("cronjob", "namespace")),
    ("pause the ledger-report cronjob in canary", {"cronjob": "ledger-report"},
     ("cronjob", "namespace")),
    ("can you move the ledger deployment to image 2.1", {"deployment": "ledger"},
     ("deployment", "namespace", "image", "container")),
    ("hey folks, could someone set the ledger container of web to 1.28",
     {"deployment": "web"}, ("deployment", "namespace", "image", "container")),
    ("team, can we set node-12 unschedulable?", {"node": "node-12"}, ("node",)),
    ("a customer opened a sev2. undo the cordon on node-12!", {"node": "node-12"},
     ("node",)),
])
def test_everyday_requests_around_each_class_are_requests(
        text: str, slots: dict[str, str], runbook: tuple[str, ...]) -> None:
    assert not guard(text, _spans(text, **slots), runbook).turned_down, text


@pytest.mark.parametrize(("text", "slots"), [
    # Plans of one's own, reports, pasted output, a timeline.
    ("I'll cordon node-12 after the backups", {"node": "node-12"}),
    ("we can resume ledger-report once finance signs off", {"cronjob": "ledger-report"}),
    ("planning to scale ledger down to 1 at 18:00", {"deployment": "ledger"}),
    ("I've rolled back ledger already, errors are gone", {"deployment": "ledger"}),
    ("restarted ledger at 09:12, all green now", {"deployment": "ledger"}),
    ("$ kubectl rollout restart deploy/ledger -n prod\nthat was me, ignore the alert",
     {"deployment": "ledger"}),
    ("09:01 paged\n09:05 restart ledger\n09:09 recovered", {"deployment": "ledger"}),
    # Hypotheticals, quotes, alerts, reviews, tests, relays, approvals, sarcasm.
    ("imagine we scale ledger to 0, what breaks?", {"deployment": "ledger"}),
    ("> drain node-12\nfrom last week's handover, no longer needed", {"node": "node-12"}),
    ("OPS-311 title: restart ledger in prod", {"deployment": "ledger"}),
    ("[FIRING:2] LedgerDown - suggested action: restart ledger", {"deployment": "ledger"}),
    ("`kubectl scale deploy/ledger --replicas=0` is that the right command?",
     {"deployment": "ledger"}),
    ("testing the bot, ignore: roll back ledger", {"deployment": "ledger"}),
    ("ask the payments team to restart ledger when they can", {"deployment": "ledger"}),
    ("need a +1 from someone before I restart ledger", {"deployment": "ledger"}),
    ("sure, restart ledger again, what could possibly go wrong", {"deployment": "ledger"}),
    ("does ledger really need 6 replicas?", {"deployment": "ledger"}),
])
def test_talk_about_a_change_is_not_a_request(text: str, slots: dict[str, str]) -> None:
    runbook = (("node",) if "node" in slots else ("cronjob", "namespace") if "cronjob" in slots
               else _DEPLOYMENT)
    assert guard(text, _spans(text, **slots), runbook).turned_down, text


@pytest.mark.parametrize(("text", "slots", "runbook"), [
    # Objects no runbook changes, by other words than the attackers'.
    ("scale the rabbitmqcluster billing-mq to 3", {"deployment": "billing-mq"}, _DEPLOYMENT),
    ("bump the mysql replicas, it's managed by the percona operator", {"deployment": "mysql"},
     _DEPLOYMENT),
    ("set the cpu limit of the nightly-etl cronjob to 2", {}, _RESOURCES),
    ("give backfill's job pods 4Gi of memory", {"deployment": "backfill's"}, _RESOURCES),
    ("scale puma workers on web to 6 per pod", {"deployment": "web"}, _DEPLOYMENT),
    ("set ledger.config.poolSize to 40", {}, _DEPLOYMENT),
    ("roll back invoice 99812 to draft", {}, ("deployment", "namespace", "revision")),
    ("restart etcd on cp-1", {"deployment": "etcd"}, _DEPLOYMENT),
    ("pause the ledger rollout at 50%", {"cronjob": "ledger"}, ("cronjob", "namespace")),
    ("restart the ledger-report cronjob", {"cronjob": "ledger-report"}, ("cronjob", "namespace")),
    ("restart web-* in prod", {"deployment": "web-"}, _DEPLOYMENT),
    ("scale staging down to zero tonight", {"namespace": "staging"}, _DEPLOYMENT),
    ("drain us-west-2c before the maintenance", {}, ("node",)),
    ("restart the stattefullset kafka", {"deployment": "kafka"}, _DEPLOYMENT),
    ("scale <https://console.example/k8s/statefulset/eu/prod/kafka/details|kafka> to 5",
     {"deployment": "kafka"}, _DEPLOYMENT),
])
def test_more_objects_no_runbook_changes_are_turned_down(
        text: str, slots: dict[str, str], runbook: tuple[str, ...]) -> None:
    assert guard(text, _spans(text, **slots), runbook).turned_down, text
