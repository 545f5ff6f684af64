"""The conversation's scope guards (`scope.py`, `kinds.py`, `asking.py`): creation requests,
changes to kinds no runbook changes, and talk that does not ask for a change are recognised
(so they never become a mutating runbook); everyday change requests are not."""

from __future__ import annotations

import pytest

from chatops.conversation.asking import (
    bulk_request,
    general_question,
    not_a_request,
    order_head,
    other_change,
)
from chatops.conversation.guards import guard
from chatops.conversation.kinds import foreign_object, other_kind
from chatops.conversation.scope import asks_to_create
from chatops.model import SlotSpan

CREATION = [
    "ship payments-worker to prod for the first time, image payments-worker:1.0.0",
    "first deploy of ledger-svc to prod, image ledger:1.0",
    "deploy ledger-svc to prod, it doesn't exist yet, image ledger:1.0",
    "checkout has no hpa yet, give it one: min 2 max 8",
    "orders doesn't have an autoscaler, add one with min 1 max 5",
    "launch a redis cache for checkout in prod",
    "make checkout-canary from checkout at 1 replica",
    "deploy a brand new search service in prod",
    "we need a new release of the chart installed in staging",
    "roll out a second copy of the search service with tag 2.4 next to the current one, "
    "as search-next",
    "create a deployment called api in shop",
    "can you install redis in the cache namespace",
    "helm install prometheus into monitoring",
    "spin up a new namespace for the load test",
    "set up another deployment of checkout with image checkout:2.0",
    "we need a new cronjob that cleans the tmp bucket every night",
    "kubectl apply -f this manifest please",
    "write a yaml manifest for a redis statefulset",
    "add a network policy that blocks egress from payments",
    "grant alice access to prod",
    "provision a postgres database for billing",
    "clone checkout into staging as checkout-canary",
    "deploy a copy of orders to the perf namespace",
    "Could you please CREATE a secret with the api key",
    "stand up an extra environment for the demo",
    "launch a canary of ledger-api with image 4.13.0 alongside the stable pods in billing",
    "run search 2.5 next to the current one for a day",
    "deploy the new returns-api service to the depot namespace",
    # Policy objects: the bot changes none of them, and they read like resource settings.
    "set up a ResourceQuota on billing, 20 cpu and 64Gi",
    "add a LimitRange to staging so containers default to 256Mi",
    "put a PodDisruptionBudget on checkout with minAvailable 2",
    "we need a quota of 40 cores for the data namespace",
    "configure a limit range for dev: default memory limit 512Mi",
    "apply a pod disruption budget to orders, max unavailable 1",
    "create a PriorityClass for the batch jobs",
    "could you set up a VerticalPodAutoscaler for search",
    # A new object named with its size, image or purpose first.
    "set up a 100Gi volume for postgres in data",
    "could you add a redis instance with 2Gi of memory next to cart",
    "make a second replica set of billing on image billing:2.0",
    "i need a service of type loadbalancer for api on port 443",
    "we need a cronjob in batch that runs the cleanup every night",
    "spin up a debug pod with 4 cpus in ml",
    "make a service account with edit rights on staging for the ci",
    "add a configmap with the feature flags for orders",
    "kubectl autoscale deployment web --min=2 --max=10 -n prod",
    "kubectl expose deployment web --port 80",
    # Manifests with words before their kind, copies of a workload named kubectl's way.
    "write me a deployment yaml for a redis cache",
    "can you generate us a k8s service manifest for the api",
    "clone deploy/checkout-api into staging",
    "duplicate the api deployment into qa",
    "copy svc/orders to the sandbox namespace",
]
CHANGES = [
    "give admin-handler a restart",
    "checkout crashed for the first time today, restart it",
    "add an autoscaler to orders, min 1 max 5",
    "make api go from 2 to 4 replicas",
    "the new pod is not running yet, restart checkout",
    # Creation words used as context, not asked for.
    "scale api to 20 for the product launch",
    "restart checkout before the launch",
    "roll back api, a new release broke it",
    "roll back api, new deployment is broken",
    "deploy the new build of api, image api:1.4.2",
    "cordon node-3 so pods schedule on another node",
    "drain node-7, another node is taking over",
    "scale api to 3, we need some pods in eu",
    "need a service bounce on api",
    "restart checkout in prod",
    "scale checkout to 5 replicas",
    "add another replica to checkout",
    "add 2 more pods to orders in staging",
    "give checkout one more instance",
    "roll out image 2.4 to search in prod",
    "deploy checkout:2.4 to the checkout deployment",
    "set the image of api to api:1.2",
    "recreate the pods of checkout",
    "restart it so we get new pods",
    "roll back orders to revision 3",
    "drain node-2 for maintenance",
    "what's wrong with the new deployment of search",
    "suspend the nightly report cronjob",
    "set the memory limit of checkout to 512Mi",
    "raise the cpu request of orders to 500m",
    "set up autoscaling for checkout between 2 and 10",
    "drain node-3, the kafka broker on it has a disruption budget",
    "roll back auth-proxy in identity, the release broke logins for a third of users",
    "restart orders, it already has a PodDisruptionBudget so one pod at a time is fine",
    # Changes worded like a wish for a thing: "a drain of", "a node cordoned", "a limit".
    "add one more pod to checkout",
    "add a horizontal pod autoscaler to deploy/orders with min 1 and max 5",
    "we need a drain of node-3 before the kernel patch",
    "i need a node cordoned, node-4 is flaky",
    "add a memory limit of 2Gi to the api service",
    "we need a restart of the checkout service",
    "i want a pod deleted: checkout-5d6f-abcde in prod",
    "we need a rollback of the orders deployment",
    "make the api service use image api:2.0",
    # Copying or writing what is not a workload.
    "copy the api logs to the incident ticket",
    "write the checkout events to the thread",
    "restart the api deployment, then copy its new pod name into the doc",
]


@pytest.mark.parametrize("text", CREATION)
def test_creation_requests_are_recognised(text: str) -> None:
    assert asks_to_create(text)


@pytest.mark.parametrize("text", CHANGES)
def test_changes_to_what_exists_are_not_creation(text: str) -> None:
    assert not asks_to_create(text)


@pytest.mark.parametrize(("text", "slots", "intent"), [
    # Session 50's end-to-end bench: each was refused as a creation. What every extra
    # replica does is said of the ones there are; a deployment without an autoscaler is
    # scaled by hand.
    ("every extra replica of partner-sync just makes it worse. Please scale it in "
     "integrations-prod down to 1", {"namespace": "integrations-prod", "replicas": "1"},
     "scale_deployment"),
    ("This deployment has no autoscaler yet (it's on the backlog). Scale search-api in "
     "search to 18 replicas for now", {"deployment": "search-api", "namespace": "search",
                                      "replicas": "18"}, "scale_deployment"),
])
def test_a_scale_beside_words_of_creation_about_what_exists_is_no_creation(
        text: str, slots: dict[str, str], intent: str) -> None:
    runbook = ("deployment", "namespace", "replicas")
    assert not guard(text, _spans(text, **slots), runbook, intent).creation


@pytest.mark.parametrize(("text", "kind"), [
    # Session 50's end-to-end bench: the pod the verb names, then what its controller does.
    ("The other replicas are fine. Could you delete that pod in comms so the replicaset "
     "creates a fresh one?", None),
    ("delete the stuck pod, the deployment will replace it", None),
    # A controller named as what is changed still is.
    ("delete that pod's replicaset in comms", "replicaset"),
    ("delete the replicaset in comms", "replicaset"),
])
def test_the_runbook_s_own_kind_as_the_object_leaves_a_controller_as_context(
        text: str, kind: str | None) -> None:
    assert other_kind(text, _spans(text, namespace="comms") if "comms" in text else [],
                      "pod") == kind


def test_an_autoscaler_said_not_to_exist_is_still_one_to_create() -> None:
    text = "checkout has no hpa yet, give it one: min 2 max 8"
    runbook = ("deployment", "namespace", "min_replicas", "max_replicas")
    assert guard(text, _spans(text, deployment="checkout"), runbook,
                 "set_autoscaling").creation


def _spans(text: str, **slots: str) -> list[SlotSpan]:
    return [SlotSpan(slot, text.index(value), text.index(value) + len(value), value)
            for slot, value in slots.items()]


@pytest.mark.parametrize(("text", "slots", "kind"), [
    ("restart the statefulset kafka in streaming", {"deployment": "kafka"}, "statefulset"),
    ("bounce sts/kafka -n streaming", {"deployment": "kafka"}, "statefulset"),
    ("increase the pvc data-kafka-0 to 200Gi", {"deployment": "data-kafka-0"}, "pvc"),
    ("restart the kafka statefulset", {"deployment": "kafka"}, "statefulset"),
    ("increase the PVC of the postgres volume to 200Gi", {"deployment": "postgres"}, "pvc"),
    ("scale the daemonset called node-exporter to 3", {"deployment": "node-exporter"},
     "daemonset"),
    # The model took the kind word itself for the target's name.
    ("delete the PVC data-0 in prod", {"pod": "PVC"}, "pvc"),
    ("restart the STS ledger in billing", {"deployment": "STS"}, "statefulset"),
    ("wipe the secret db-creds", {"pod": "secret"}, "secret"),
    # Plurals name the kind in the singular ("I can't change a pvc").
    ("delete the pvcs of data-0 in prod", {"pod": "data-0"}, "pvc"),
    ("restart the statefulsets kafka and zk", {"deployment": "kafka"}, "statefulset"),
    ("scale down the PVCs in prod", {"pod": "PVCs"}, "pvc"),
    ("restart the ingresses web in prod", {"deployment": "web"}, "ingress"),
    ("drop the networkpolicies of api", {"deployment": "api"}, "networkpolicy"),
    ("delete the storageclasses fast-ssd", {"pod": "fast-ssd"}, "storageclass"),
    # An API group, a colon or a comma after the kind, the kind in parentheses after.
    ("restart statefulsets.apps/kafka -n streaming", {"deployment": "kafka"}, "statefulset"),
    ("restart the statefulset: kafka", {"deployment": "kafka"}, "statefulset"),
    ("bounce sts,kafka in streaming", {"deployment": "kafka"}, "statefulset"),
    ("drop cm/app-config in prod", {"pod": "app-config"}, "configmap"),
    # Not a pod's or a cronjob's name for itself: a service, a job.
    ("delete the service gate-lb in prod", {"pod": "gate-lb"}, "service"),
    ("remove svc/gate-lb", {"pod": "gate-lb"}, "service"),
    ("delete the gate-lb service in prod", {"pod": "gate-lb"}, "service"),
    ("delete the job nightly-reindex", {"pod": "nightly-reindex"}, "job"),
    ("delete the jobs nightly-reindex and backfill", {"pod": "nightly-reindex"}, "job"),
    ("suspend the service billing-sync", {"cronjob": "billing-sync"}, "service"),
    ("nuke the dev-42 namespace pls", {"pod": "dev-42"}, "namespace"),
    ("restart the namespace payments", {"deployment": "payments"}, "namespace"),
    # One slip of the key in a long kind word.
    ("restart the deamonset fluentd in logging", {"deployment": "fluentd"}, "daemonset"),
    ("bump memory on the statefullset kafka to 8Gi", {"deployment": "kafka"}, "statefulset"),
    # A kind written as two or three words.
    ("restart the stateful set kafka in streaming", {"deployment": "kafka"}, "statefulset"),
    ("restart the kafka stateful set", {"deployment": "kafka"}, "statefulset"),
    ("scale the daemon set called node-exporter to 3", {"deployment": "node-exporter"},
     "daemonset"),
    ("grow the persistent volume claim data-0 to 50Gi", {"deployment": "data-0"},
     "persistentvolumeclaim"),
    ("delete the config-map app-settings", {"pod": "app-settings"}, "configmap"),
])
def test_a_target_named_as_another_kind_is_found(text: str, slots: dict[str, str],
                                                  kind: str) -> None:
    assert other_kind(text, _spans(text, **slots)) == kind


@pytest.mark.parametrize(("text", "target", "kind"), [
    # The model tagged no target: the object of the request is named by its kind alone.
    ("resize the data-db-0 pvc to 200Gi", "deployment", "pvc"),
    ("clean up all the completed jobs in datalake", "node", "job"),
    (":broom: <@U0123ABC> clean up all the completed jobs in datalake", "node", "job"),
    ("roll back the tariff-rates configmap to yesterday's version", "deployment",
     "configmap"),
    ("restart the daemon set in kube-system", "deployment", "daemonset"),
    ("delete the load balancer service in prod", "pod", "service"),
    ("suspend the billing service for tonight", "cronjob", "service"),
    # A cronjob's schedule is not something a runbook changes.
    ("The export runs at 01:00, our busiest hour. Can you change the schedule of the "
     "roster export in crew-prod?", "cronjob", "schedule"),
    ("move the nightly-export schedule to 16:00", "cronjob", "schedule"),
    ("reschedule nightly-export to run at 4am", "cronjob", "schedule"),
])
def test_an_untargeted_request_on_another_kind_is_found(text: str, target: str,
                                                        kind: str) -> None:
    assert other_kind(text, [], target) == kind


@pytest.mark.parametrize(("text", "slots", "kind"), [
    # The kind is in the request's object, further from the name than the next word.
    ("resize the ledger-db data PVC to 500Gi", {"deployment": "ledger-db"}, "pvc"),
    ("restart checkout and the redis statefulset", {"deployment": "checkout"},
     "statefulset"),
    ("bump replicaset checkout-7c5b8d6f9 to 3", {"deployment": "checkout-7c5b8d6f9"},
     "replicaset"),
    ("scale down replica set recon-7b9c4 to 0", {"deployment": "recon-7b9c4"}, "replicaset"),
    ("resize the disk on ledger-db-0 to 1Ti", {"deployment": "ledger-db-0"}, "volume"),
    ("bump the storage of ledger-db to 1Ti", {"deployment": "ledger-db"}, "volume"),
    # The target said to be another kind, anywhere in the message.
    ("can you bounce mq-broker? it's the statefulset in ingest", {"deployment": "mq-broker"},
     "statefulset"),
    ("mq-broker needs a restart - it's a statefulset btw, ingest",
     {"deployment": "mq-broker"}, "statefulset"),
    ("restart mq-broker please, which is a daemonset", {"deployment": "mq-broker"},
     "daemonset"),
    # In apposition: "<name> in <namespace>, a statefulset with three replicas".
    ("The brokers lost a disk. It is kafka-main in bags, a statefulset with three "
     "replicas. Can you restart it in order?", {"deployment": "kafka-main"}, "statefulset"),
    ("restart kafka-main, the statefulset in bags", {"deployment": "kafka-main"},
     "statefulset"),
])
def test_another_kind_in_the_request_or_said_of_the_target_is_found(
        text: str, slots: dict[str, str], kind: str) -> None:
    assert other_kind(text, _spans(text, **slots), "deployment") == kind


@pytest.mark.parametrize(("text", "slots"), [
    ("restart api to pick up the new configmap", {"deployment": "api"}),
    ("restart api so it picks up the new configmap", {"deployment": "api"}),
    ("restart checkout in prod, the secret was rotated", {"deployment": "checkout"}),
    ("restart checkout after the secret rotation", {"deployment": "checkout"}),
    ("scale checkout to 5, it's the deployment in shop", {"deployment": "checkout"}),
    ("restart checkout, it's a deployment", {"deployment": "checkout"}),
    ("bump the memory of checkout to 2Gi", {"deployment": "checkout"}),
    # "its" is not "it's".
    ("nuke checkout-7b8c9d6f5-kz8xn in prod, its replica set will bring up a fresh one",
     {"pod": "checkout-7b8c9d6f5-kz8xn"}),
    # Another kind in a context sentence, the request in its own.
    ("The redis statefulset is fine. Please restart checkout in prod.",
     {"deployment": "checkout"}),
    ("Our PVC filled up overnight, so the exports failed. Can you restart checkout?",
     {"deployment": "checkout"}),
    ("suspend nightly-export until we change the schedule", {"cronjob": "nightly-export"}),
    ("pause the nightly export schedule in billing", {"cronjob": "nightly"}),
])
def test_a_request_with_another_kind_as_context_is_fine(text: str,
                                                        slots: dict[str, str]) -> None:
    target = next(iter(slots))
    assert other_kind(text, _spans(text, **slots), target) is None


@pytest.mark.parametrize(("text", "node"), [
    ("stop scheduling new pods on worker-7, its disk is flaky", "worker-7"),
    ("the faulty disk on worker-14 was swapped, uncordon it", "worker-14"),
    ("cordon worker-3, the volume on it keeps detaching", "worker-3"),
])
def test_a_node_request_naming_the_node_s_own_disk_is_fine(text: str, node: str) -> None:
    assert other_kind(text, _spans(text, node=node), "node") is None


@pytest.mark.parametrize(("text", "target"), [
    # No target and no other kind as the object: the bot asks which one, as before.
    ("restart the pods in prod", "deployment"),
    ("restart so it picks up the new configmap", "deployment"),
    ("restart after the secret rotation", "deployment"),
    ("restart it, the configmap changed", "deployment"),
    ("restart the sync job in prod", "deployment"),
    ("scale the checkout service to 5", "deployment"),
    ("evict all the pods", "node"),
    ("suspend the nightly job", "cronjob"),
    ("delete the stuck pod in prod", "pod"),
    ("restart the role-service api", "deployment"),
    ("restart the api in the secrets namespace", "deployment"),
    ("restart nginx -n ingress", "deployment"),
    # A context sentence first: the request is in the sentence with the verb.
    ("disk usage alerts are going off too. give the server container a memory limit of "
     "128Mi", "deployment"),
])
def test_an_untargeted_request_without_another_kind_asks(text: str, target: str) -> None:
    assert other_kind(text, [], target) is None


def test_a_tagged_target_is_judged_by_its_own_neighbours() -> None:
    text = "restart checkout after the new configmap"
    assert other_kind(text, _spans(text, deployment="checkout"), "deployment") is None


@pytest.mark.parametrize(("text", "slots"), [
    ("restart api so it picks up the new configmap", {"deployment": "api"}),
    ("restart checkout after the secret rotation", {"deployment": "checkout"}),
    ("roll back the checkout deployment", {"deployment": "checkout"}),
    ("scale deploy/checkout to 3", {"deployment": "checkout"}),
    ("restart checkout (configmap changed)", {"deployment": "checkout"}),
    ("re checkout: restart it, the secret rotated", {"deployment": "checkout"}),
    # A deployment is called a service, a cronjob a job; a pod's owner named as context.
    ("restart the checkout service in prod", {"deployment": "checkout"}),
    ("bounce svc/checkout", {"deployment": "checkout"}),
    ("suspend the job nightly-export", {"cronjob": "nightly-export"}),
    ("kill the service pod checkout-7d9f8b6c5-x2kqp", {"pod": "checkout-7d9f8b6c5-x2kqp"}),
    ("delete checkout-7d9f8b6c5-x2kqp, the service is down",
     {"pod": "checkout-7d9f8b6c5-x2kqp"}),
    ("restart the set-top api in prod", {"deployment": "api"}),
    ("restart api in the data plane", {"deployment": "api"}),
])
def test_a_target_named_as_what_the_runbook_changes_is_fine(text: str,
                                                            slots: dict[str, str]) -> None:
    assert other_kind(text, _spans(text, **slots)) is None


@pytest.mark.parametrize("text", [
    "how does a PodDisruptionBudget interact with kubectl drain?",
    "what happens to my pods when a node is cordoned",
    "Why would a rollback not restore the old config?",
    "explain how scaling works with an HPA",
    "does a rolling restart cause downtime if there's only one replica?",
    "Does kubectl drain respect a PodDisruptionBudget",
])
def test_a_general_question_naming_no_target_is_recognised(text: str) -> None:
    assert general_question(text, [])


def test_a_question_about_a_named_target_is_a_request() -> None:
    text = "how do i restart checkout in prod"
    assert not general_question(text, _spans(text, deployment="checkout"))
    assert not general_question("restart it please", [])
    assert not general_question("does checkout in prod need a restart?",
                                _spans("does checkout in prod need a restart?",
                                       deployment="checkout"))
    assert not general_question("can you restart everything in prod?", [])


@pytest.mark.parametrize(("text", "slots", "kind"), [
    # A kind set beside the target, however it is set off or formatted.
    ("restart kafka (statefulset)", {"deployment": "kafka"}, "statefulset"),
    ("restart kafka - sts", {"deployment": "kafka"}, "statefulset"),
    ("restart kafka, the ingest statefulset", {"deployment": "kafka"}, "statefulset"),
    ("restart vault, one of our statefulsets", {"deployment": "vault"}, "statefulset"),
    ("restart kafka, it's a *statefulset*", {"deployment": "kafka"}, "statefulset"),
    ("restart kafka, its an sts", {"deployment": "kafka"}, "statefulset"),
    ("scale mongo to 5, mongo is a statefulset", {"deployment": "mongo"}, "statefulset"),
    ("we run kafka as a statefulset. restart it please", {"deployment": "kafka"},
     "statefulset"),
])
def test_a_kind_beside_or_said_of_the_target_is_found(text: str, slots: dict[str, str],
                                                      kind: str) -> None:
    assert other_kind(text, _spans(text, **slots), "deployment") == kind


@pytest.mark.parametrize(("text", "slots"), [
    # The kind modifies another noun, or heads a clause of its own.
    ("delete pod kafka-0, it's a statefulset pod so it will come back", {"pod": "kafka-0"}),
    ("delete the sts pod zk-1 in infra", {"pod": "zk-1"}),
    ("drain node-9, it's the ingress node", {"node": "node-9"}),
    ("restart api, it's the configmap caching bug again", {"deployment": "api"}),
    ("restart checkout in prod, the secret was rotated", {"deployment": "checkout"}),
    ("restart api as a precaution", {"deployment": "api"}),
    ("restart checkout, prod namespace", {"deployment": "checkout"}),
    ("restart checkout (payments ns)", {"deployment": "checkout"}),
    ("restart the storage api", {"deployment": "storage"}),
    ("kubectl drain node-4 --ignore-daemonsets", {"node": "node-4"}),
    ("drain node-7 ignoring daemonsets", {"node": "node-7"}),
])
def test_a_kind_that_is_not_the_target_s_is_fine(text: str, slots: dict[str, str]) -> None:
    target = next(iter(slots))
    assert other_kind(text, _spans(text, **slots), target) is None


@pytest.mark.parametrize("text", [
    "don't restart checkout, it's mid-migration",
    "do NOT drain node-7 yet",
    "please don't drain node-7, can you wait?",
    "thanks for restarting checkout!",
    "who scaled api down to 1??",
    "did someone just restart checkout?",
    "why was node-4 drained?",
    "FYI drained node-4 earlier, all good",
    "heads up: I'm draining node-7 in 5 min",
    "I'm about to roll back checkout, shout if you object",
    "what happens if I scale checkout to 0?",
    "would restarting checkout help?",
    "should we roll back checkout?",
    "is it safe to drain node-7 now?",
    "if latency goes up, restart checkout",
    "remind me tomorrow to restart checkout",
    "the alert says restart checkout",
    # A change named as something that happened, or put up for discussion; a note; a
    # change of one's own.
    "nice, the restart of checkout fixed it",
    "yesterday's drain of node-7 went fine",
    "the cordon on node-3 was intentional, leave it",
    "the rollback of api didn't help at all",
    "we should probably scale api to 10 before the sale, thoughts?",
    "scale api to 10 before the sale? wdyt",
    "hold off on restarting checkout",
    "nobody touch node-7 today",
    "TODO restart checkout after the db failover",
    "ugh, I just accidentally scaled api to 0",
    "we already restarted checkout twice",
    # Openers before a question; a change negated anywhere; hypotheticals; plans of
    # others; quotes; reports of what was done; mockery.
    "hey, who restarted checkout?",
    "quick q: should I cordon node-3",
    "we should NOT drain node-7",
    "I'd rather not roll back payments",
    "stop restarting checkout!",
    "suppose we drain node-7, where do the pods go?",
    "not sure if we should restart checkout",
    "bob is going to drain node-7 after standup",
    "PR title: scale api to 6 replicas",
    "the ticket says roll back api to v41, waiting on approval",
    "note to self: uncordon node-3 tomorrow",
    "deployment.apps/checkout restarted",
    "node-4 cordoned since tuesday",
    "checkout was rolled back by bob",
    "scale api to 1000, problem solved /s",
    # A change asked as a question, then declined.
    "Restart checkout in prod? Not yet.",
    "roll back web-frontend in staging? I'd rather fix forward.",
    "drain node-7? no, the batch is still running",
    "scale api to 10? probably not, the db can't take it",
    "restart checkout?? nope. let's wait for the vendor",
    "cordon node-3? maybe later",
    # How to make a change, asked to be shown, written or explained (session 46's demo:
    # "ok. Please document how to drain node-2." planned the drain).
    "ok. Please document how to drain node-2.",
    "can you write down how to restart checkout in prod",
    "show me how to roll back checkout in prod",
    "could you explain how to cordon node-3?",
    # ... with asking words, after a filler, or with another change ordered (an attacker
    # review of session 46).
    "Could you restart checkout in prod? Not yet.",
    "Restart checkout in prod? Hmm, not yet.",
    "Restart checkout in prod? -- actually never mind",
    "Drain node-1? No, cordon it.",
    "Roll back checkout in prod? Nah, restart it.",
    # ... or another object ordered after the decline: which one is meant is no guess to
    # make (a second review: the declined object was planned).
    "Restart orders in shop? No. Please restart cart in shop.",
    "Restart orders in shop? Not yet, restart cart first.",
    "restart checkout? no, restart orders instead",
    # More ways to decline, alone after the question.
    "Restart orders in shop? Not right now.",
    "Restart orders in shop? Don't.",
    "Restart orders in shop? I don't think so.",
    "Restart orders in shop? Hold on.",
    "Restart orders in shop? Wait.",
    "Restart orders in shop? Maybe tomorrow.",
    # A question about how something is doing, with context and no order (a user trial:
    # "is node-2 ok? ... pods scheduled there" was planned as a cordon).
    "is node-2 ok? seeing weird latency from pods scheduled there",
    "are the pods on node-1 ok? latency spiked there",
    "seeing weird latency from pods on node-3. is it healthy?",
    "is checkout-api in prod still up after the restart",
    "are the checkout pods running again?",
    "hey, is node-7 overloaded? lots of evictions",
    "is the cordon on node-2 still needed, is the node fine now?",
    # An attacker review: without "is".
    "node-2 ok? seeing weird latency from pods scheduled there",
    "the checkout pods still running? lots of 502s",
    # A second attacker review: a change reported in the context is no change asked for.
    "node-2 ok? pods scheduled there keep getting evicted",
    "node-2 ok? pods keep getting drained off it",
    "is checkout healthy? it was restarted twice overnight",
    # Session 48's second attacker review: a change said not to be needed, or not to be
    # made now, planned it.
    "orders in shop doesn't need a restart",
    "api in billing can't be restarted right now",
    "checkout does not need to be rolled back",
    "node-2 shouldn't be drained before the batch finishes",
    # Session 49: the order taken back after it, not only after a question.
    "restart orders in shop. never mind.",
    "restart orders in shop. nvm",
    "restart orders in shop, just kidding",
    "restart orders in shop lol jk",
    "scale orders to 0. scratch that.",
    "scale orders to 0 -- forget it",
    "restart orders in shop. ignore that, wrong channel",
    "restart orders in shop. disregard.",
    "restart orders in shop... on second thought, don't",
    "drain node-2. Kidding!",
    "can you switch orders in shop to nginx:1.25? just kidding",
    # An attacker review's ways to take it back (session 49).
    "Restart orders in shop. (don't)",
    "Restart orders in shop. Nah, it's fine.",
    "Restart orders in shop. Not approved by the CAB.",
    "Restart orders in shop. Wrong channel, sorry.",
    "Restart orders in shop. Sorry, that was meant for Dave.",
    "Can you restart orders in shop? Meant to DM that.",
    "Restart orders in shop. Just testing.",
    "Please restart orders in shop. Actually no.",
    "Restart orders in shop. Retracted.",
    # Weighed against not doing it, or called off (session 49's second review).
    "restart orders in shop or is that overkill?",
    "could we roll back checkout-api in prod or would that make it worse?",
    "restart orders in shop or not?",
    "roll back orders in shop or should we wait?",
    "skip the rollback of orders in shop",
    "cancel the restart of api in billing",
    "leave orders in shop alone",
    # A third review's variants (session 49).
    "restart orders in shop. belay that",
    "restart orders in shop. my bad, false alarm",
    "restart orders in shop (jk)",
    "restart orders in shop. nvm lol",
    "restart orders in shop. nah.",
    "restart orders in shop or wait?",
    "restart orders in shop or is that a bit much?",
    "restart orders in shop, yay or nay?",
    "defer the rollback of orders in shop",
    "shelve the restart of orders in shop",
    "delay the drain of node-1",
    "drain node-1? na",
    "restart orders in shop? not needed",
])
def test_talk_about_a_change_that_does_not_ask_for_it(text: str) -> None:
    assert not_a_request(text)


@pytest.mark.parametrize("text", [
    "restart checkout", "can you restart checkout?", "would you restart checkout please",
    "cordon node-b3 but don't evict anything", "hold off the nightly cronjob tonight",
    "We will watch the dashboards afterwards. Please restart checkout.",
    "should we roll back checkout? if so please do",
    "did the deploy break checkout? roll it back",
    "why is node-7 so slow? drain it.",
    "the rollout of checkout failed, roll it back",
    "the restart of checkout didn't help so scale it to 5",
    "I just restarted api, can you scale it to 3",
    "restart checkout, but don't drain anything",
    "restart orders in shop, it doesn't need a rollback",
    # Words that take an order back, before it, about something else, or with an order
    # after them (session 49).
    "never mind the alert, restart orders in shop",
    "ignore the noise and restart orders in shop",
    "restart cart in shop. never mind, restart orders instead",
    "forget it, just restart orders in shop",
    "restart orders in shop, disregard the alert about cart",
    "restart orders in shop, don't drain anything",
    "restart orders in shop, do not scale it",
    "restart orders in shop, it's fine to do it now",
    "restart api in billing but leave cart alone",
    "restart orders in shop for testing",
    "scale orders in shop to 2 for load testing",
    "restart orders in shop, no kidding",
    "don't let nightly-report in batch run tonight",
    # A third review's legitimate requests that the first guards refused (session 49).
    "cordon node-2, not kidding",
    "restart web-frontend in staging, I'm not joking",
    "restart orders in shop — I know, wrong channel, but it's urgent",
    "roll back api in billing. Not approved by CAB yet but the IC approved",
    "restart web-frontend in staging - testing, QA is waiting",
    "nah, restart cart in shop",
    "restart orders in shop, or cart if orders is fine",
    "cancel the alert and restart orders in shop",
    # Words after the question that sound like a no but ask on ("no rush", "later is
    # fine"): the change is still asked for.
    "Can you restart checkout in prod? No rush.",
    "Could you scale api to 3? No need to wait for me.",
    "restart checkout? no pressure",
    "could you restart orders? No worries if not",
    "restart orders in shop? later today is fine",
    "can you drain node-7? later is fine too",
    # A second attacker review (session 46): words after the question that open with a
    # declining word but go on.
    "Can you restart orders in shop? No big rush.",
    "Can you restart orders in shop? No idea why it's stuck.",
    "Can you cordon node-2? No new pods should land there.",
    "Can you scale orders in shop to 4? No more than that though.",
    "Can you restart orders in shop? No, seriously, please.",
    "Can you restart orders in shop? Hold off on cart though.",
    "Can you restart orders in shop? Let's not wait for Dave.",
    "Can you restart orders in shop? I'd rather we do it now than wait for the fix.",
    "Can you restart orders in shop? Never mind the alert, just do it.",
    "can you restart orders in shop? nah it's fine either way, go ahead",
    "Could you scale orders in shop to 4? Not until you have approval obviously.",
    # An opener, a report or a question, then an order: the order is the request.
    "don't panic, just restart checkout",
    "if you're around, restart checkout",
    "FYI checkout is down, restart it",
    "who approved v42? whatever, roll back api",
    # A question answered no, then an order.
    "is checkout ok? no. restart it",
    "has to happen now: drain node-7",
    "ok we restarted checkout already, now roll back worker",
    "don't let email-digest run tonight",
    "I can't restart checkout myself, can you?",
    "checkout won't restart, roll it back",
    # A question about how something is doing, then an order or an ask.
    "is node-2 ok? cordon it, latency is awful",
    "is checkout down? restart it",
    "is checkout healthy? restart it if not",
    "are the pods on node-1 stuck? please drain node-1",
    "is api slow again? can you scale it to 6",
    # An attacker review: a change named in another sentence, permission asked of the bot.
    "is checkout-api in prod broken? we need to roll it back",
    "is checkout-api in prod up? we need it restarted",
    "are the checkout-api pods in prod healthy? we should restart them",
    "checkout-api in prod is stuck, is it ok by you to restart it?",
    "checkout-api in prod is degraded, is it okay with you if i restart it",
    "are we ok to restart checkout-api in prod?",
    "is it good to restart checkout-api in prod now?",
])
def test_a_request_is_a_request(text: str) -> None:
    assert not not_a_request(text)


@pytest.mark.parametrize(("slots", "text", "other"), [
    (("cronjob", "namespace"), "run nightly-report now", True),
    (("cronjob", "namespace"), "kick off the db-backup cron manually", True),
    (("cronjob", "namespace"), "push nightly-export back an hour", True),
    (("cronjob", "namespace"), "set the nightly-report cron to 0 3 * * *", True),
    (("cronjob", "namespace"), "suspend nightly-report until 06:00", False),
    (("cronjob", "namespace"), "resmue nightly-report now", False),
    (("cronjob", "namespace"), "pause the export, it must not run every 5 minutes", False),
    (("deployment", "namespace", "memory_limit"), "give elasticsearch 1Ti of storage", True),
    (("deployment", "namespace", "memory_limit"), "set the size of data-pg-0 to 100Gi", True),
    (("deployment", "namespace", "memory_limit"), "raise the memory limit of api to 2Gi",
     False),
    (("deployment", "namespace", "memory_limit"),
     "the disk is fine, raise the memory of api to 2Gi", False),
    (("deployment", "namespace"), "restart api, the disk is full", False),
    # Taking a workload away is no restart, rollback or image change.
    (("deployment", "namespace", "revision"), "remove the old api-v1 deployment, it's unused",
     True),
    (("deployment", "namespace", "revision"), "uninstall the redis release", True),
    (("deployment", "namespace"), "please decommission legacy-api in prod", True),
    (("deployment", "namespace", "image", "container"), "delete checkout from prod", True),
    (("deployment", "namespace", "revision"), "remove the bad build from checkout, roll it back",
     False),
    (("deployment", "namespace", "cpu_limit"), "remove the cpu limit from api", False),
    (("deployment", "namespace", "replicas"), "remove 2 replicas from api", False),
    # Fields and properties no runbook changes, and schedules, whatever the runbook.
    (("deployment", "namespace", "min_replicas", "max_replicas"), "set maxSurge to 50% on api",
     True),
    (("deployment", "namespace"), "add an env var LOG_LEVEL=debug to checkout", True),
    (("node",), "untaint worker-12", True),
    (("node",), "remove the gpu taint from worker-12", True),
    (("deployment", "namespace", "replicas"), "set the nightly-report cron to 0 3 * * *", True),
    (("deployment", "namespace"), "restart checkout, its env vars changed", False),
    (("deployment", "namespace", "memory_limit", "container"),
     "give the sidecar-proxy container of gw a memory limit of 512Mi", False),
    (("node",), "drain worker-12 so we can fix its taints", False),
    (("deployment", "namespace", "replicas"), "scale the pods labelled tier=web in api to 3",
     False),
    # Field words in the context, not in the order.
    (("deployment", "namespace"), "env vars were updated, restart checkout", False),
    (("node",), "the taint on node-7 is gone, uncordon it", False),
    (("deployment", "namespace", "revision"),
     "remove the bad release from checkout by rolling back to revision 41", False),
])
def test_a_change_the_runbook_does_not_make(slots: tuple[str, ...], text: str,
                                            other: bool) -> None:
    assert other_change(slots, text) is other


def test_a_kind_in_a_slack_link_to_the_target_is_found() -> None:
    # Slack shows the label; the link's path names the kind.
    text = "restart <https://console.example.com/ns/ingest/statefulsets/kafka|kafka> now"
    start = text.rindex("kafka")
    span = SlotSpan("deployment", start, start + 5, "kafka")
    assert other_kind(text, [span], "deployment") == "statefulset"


@pytest.mark.parametrize(("text", "slots", "kind"), [
    # Objects of tools on top of Kubernetes, however the model tagged the name.
    ("restart the argo rollout checkout", {"deployment": "argo"}, "Argo rollout"),
    ("restart the checkout argo rollout", {"deployment": "checkout"}, "Argo rollout"),
    ("roll back the redis helm release", {"deployment": "redis"}, "Helm release"),
    ("restart the elasticsearch CR logs-es", {"deployment": "elasticsearch"},
     "custom resource"),
    ("scale the kafka CR to 5 brokers", {"deployment": "brokers", "replicas": "5"},
     "custom resource"),
    ("bump the keda scaledobject for worker to 20", {"deployment": "worker"},
     "KEDA ScaledObject"),
    ("scale the knative service hello to 0", {"deployment": "hello"}, "Knative service"),
    # A kind in quotes, or set beside another slot's value.
    ("restart kafka, it's an 'sts'", {"deployment": "kafka"}, "statefulset"),
    ("scale clickhouse to 4, the analytics statefulset", {"deployment": "clickhouse",
                                                           "replicas": "4"}, "statefulset"),
    ("scale kafka to 5 (sts)", {"deployment": "kafka", "replicas": "5", "namespace": "sts"},
     "statefulset"),
    # The kind before the name where it is written again: pasted kubectl output.
    ("restart kafka\n> kubectl get sts kafka -n ingest\n> kafka 3/3", {"deployment": "kafka"},
     "statefulset"),
])
def test_tools_kinds_and_kinds_beside_other_values_are_found(
        text: str, slots: dict[str, str], kind: str) -> None:
    target = next(iter(slots))
    assert other_kind(text, _spans(text, **slots), target) == kind


@pytest.mark.parametrize("text", [
    "restart kafka (statefulset)",
    "kafka runs as sts. roll it back to rev 3",
    "restart kafka pls \u2013 daemonset",
])
def test_an_untargeted_request_naming_a_controller_anywhere_is_found(text: str) -> None:
    assert other_kind(text, [], "deployment") is not None


@pytest.mark.parametrize(("text", "slots"), [
    ("undo the release of kafka-connect in preview", {"deployment": "kafka-connect"}),
    ("roll checkout back to the previous release", {"deployment": "checkout"}),
    ("restart the prometheus operator", {"deployment": "prometheus"}),
    ("scale api to 4, the redis statefulset is fine", {"deployment": "api", "replicas": "4"}),
    ("restart argo-server in argocd", {"deployment": "argo-server"}),
])
def test_versions_and_operators_are_no_other_kind(text: str, slots: dict[str, str]) -> None:
    target = next(iter(slots))
    assert other_kind(text, _spans(text, **slots), target) is None


@pytest.mark.parametrize(("text", "slots", "many"), [
    ("restart all deployments in payments", {"namespace": "payments"}, "deployment"),
    ("scale everything in namespace payments to 0", {"namespace": "payments"}, "deployment"),
    ("roll back every app in payments to yesterday", {}, "deployment"),
    ("restart all pods in prod", {"namespace": "prod"}, "deployment"),
    ("drain every node in pool-b", {"node": "pool-b"}, None),
    ("drain every node in the pool", {}, "node"),
    ("suspend all cronjobs in batch", {"namespace": "batch"}, "cronjob"),
    ("delete all the crashing pods in prod", {"namespace": "prod"}, "pod"),
    # One target, named: the rest is context.
    ("restart all pods of checkout", {"deployment": "checkout"}, None),
    ("restart checkout, it fails on all nodes", {"deployment": "checkout"}, None),
    ("raise checkout's max to 20 like all our other services", {"deployment": "checkout"},
     None),
    ("drain node-3, all pods will move", {"node": "node-3"}, None),
    # Several names, a selector, a kind with no name.
    ("drain node-3, node-4 and node-5", {"node": "node-4"}, "node"),
    ("restart api, checkout and cart", {"deployment": "checkout"}, "deployment"),
    ("restart api-v1 and api-v2 in prod", {"deployment": "api-v1"}, "deployment"),
    ("kubectl scale deploy --all --replicas=0 -n staging", {}, "deployment"),
    ("restart deployments matching app=api", {}, "deployment"),
    ("kubectl rollout restart deployment -n payments", {"namespace": "payments"},
     "deployment"),
    ("restart all 12 deployments in payments", {}, "deployment"),
    ("restart the whole payments stack", {}, "deployment"),
    ("cordon nodes 3 through 7", {}, "node"),
    # "both" with a count is two objects; with a size or a field, a plan's two fields.
    ("scale both to 3", {}, "deployment"),
    ("scale both to 3 replicas", {}, "deployment"),
    ("restart both", {}, "deployment"),
    ("make both 1Gi instead for api", {"deployment": "api"}, None),
    ("set both the request and the limit of api to 512Mi", {"deployment": "api"}, None),
    # A name and its namespace, two plain words: one target.
    ("restart checkout-api, shop-prod", {"deployment": "checkout-api"}, None),
    ("restart checkout and wait", {"deployment": "checkout"}, None),
    ("nuke coupon-handler-pj4s25vw2g-kmw5h, it's stuck", {"deployment":
                                                         "coupon-handler-pj4s25vw2g-kmw5h"},
     None),
])
def test_many_objects_at_once(text: str, slots: dict[str, str], many: str | None) -> None:
    runbook = {"deployment": ("deployment", "namespace"), "node": ("node",),
               "cronjob": ("cronjob", "namespace"), "pod": ("pod", "namespace")}[many or
                                                                              next(iter(slots))]
    assert bulk_request(text, _spans(text, **slots), runbook) == many


@pytest.mark.parametrize(("text", "kind"), [
    ("nuke the dev-42 namespace pls", "namespace"),
    ("delete ns dev-42", "namespace"),
    ("restart checkout in namespace prod", None),
    ("delete pod x in namespace prod", None),
])
def test_a_namespace_as_the_object_of_the_verb_is_found(text: str, kind: str | None) -> None:
    assert other_kind(text, [], "pod") == kind


@pytest.mark.parametrize(("text", "slots", "kind"), [
    # Session 50's end-to-end bench: "ns" and the namespace the model read after the
    # object is where it is, not what is changed ("can't change a namespace").
    ("rolling restart 'ws-gateway' ns realtime-prod", {"deployment": "ws-gateway",
                                                       "namespace": "realtime-prod"}, None),
    ("restart ws-gateway ns realtime-prod pls", {"deployment": "ws-gateway",
                                                 "namespace": "realtime-prod"}, None),
    # The namespace named as the object still is one, and a kind after the cue is read
    # (the second review: "restart api ns prod sts" was planned).
    ("restart the ws-gateway ns", {"deployment": "ws-gateway"}, "namespace"),
    ("restart checkout-api ns prod sts", {"deployment": "checkout-api", "namespace": "prod"},
     "statefulset"),
    ("scale checkout-api ns prod replicaset to 0", {"deployment": "checkout-api",
                                                    "namespace": "prod"}, "replicaset"),
])
def test_a_namespace_cue_after_the_object_names_where_it_is(
        text: str, slots: dict[str, str], kind: str | None) -> None:
    assert other_kind(text, _spans(text, **slots), "deployment") == kind


@pytest.mark.parametrize(("text", "slots", "kind"), [
    ("scale the ASG web-asg to 10", {"deployment": "web-asg"}, "cloud autoscaling group"),
    ("pause the airflow DAG nightly-etl", {"cronjob": "nightly-etl"}, "Airflow DAG"),
    ("revert PR #4521", {}, "code change"),
    ("roll back the db migration in orders", {"namespace": "orders"}, "database migration"),
    ("drain eu-west before the failover", {"node": "eu-west"}, "region"),
    ("restart containerd on worker-12", {"deployment": "worker-12"}, "node service"),
    ("flux suspend kustomization payments", {"cronjob": "payments"}, "Flux object"),
    ("scale the RedisFailover cache-rf to 3", {"deployment": "cache-rf"}, "custom resource"),
    # The context, a tagged name, or a word inside a name is no object of the order.
    ("drain node-7, traffic will shift to pool-b", {"node": "node-7"}, None),
    ("suspend nightly-export during the db migration", {"cronjob": "nightly-export"}, None),
    ("restart webhook in payments", {"deployment": "webhook"}, None),
    ("restart traffic-router in edge", {"deployment": "traffic-router"}, None),
    ("ArgoCD 5.1 was rolled out on Tuesday. alerts everywhere. restart checkout",
     {"deployment": "checkout"}, None),
    # A tool's word is no name even when the model tags it; an image is no object.
    ("scale the ASG checkout to 10", {"deployment": "ASG"}, "cloud autoscaling group"),
    ("release docker.io/library/python:2.22 of webhook-job", {"deployment": "webhook-job"},
     None),
    # What the target does to something else, then the ask (a user trial: "hammering the
    # db, can we pause it" was refused as a change to a database record).
    ("the nightly-report job in prod is hammering the db, can we pause it until tomorrow?",
     {"cronjob": "nightly-report"}, None),
    ("nightly-export keeps locking the database tables, could we suspend it for now",
     {"cronjob": "nightly-export"}, None),
    ("checkout is flooding the queue, can we scale it down to 1", {"deployment": "checkout"},
     None),
])
def test_objects_outside_the_runbooks_are_found_in_the_order(
        text: str, slots: dict[str, str], kind: str | None) -> None:
    runbook = (("node",) if "node" in slots else ("cronjob", "namespace") if "cronjob" in slots
               else ("deployment", "namespace"))
    spans = _spans(text, **slots)
    head = order_head(text)
    got = foreign_object(text, spans, runbook, head) if head else None
    assert got == kind



@pytest.mark.parametrize(("text", "slots"), [
    # A second attacker review: the system named before "can we" is still what is asked.
    ("the kafka brokers in prod are wedged, can we restart kafka?", {"deployment": "kafka"}),
    ("the redis primary in prod is stuck, can we restart redis?", {"deployment": "redis"}),
    ("the elasticsearch data nodes in prod are slow, can we scale elasticsearch to 5?",
     {"deployment": "elasticsearch"}),
])
def test_a_stateful_system_named_before_the_ask_is_still_found(
        text: str, slots: dict[str, str]) -> None:
    verdict = guard(text, _spans(text, **slots), ("deployment", "namespace"))
    assert verdict.kind is not None, verdict


@pytest.mark.parametrize(("intent", "text", "wrong"), [
    # Session 49 (set K): "put it back in rotation" read as a drain at 0.82.
    ("drain_node", "Ok the disk cleanup on ip-10-42-3-88.ec2.internal is done, usage is down "
     "to 34%. You can put it back in rotation.", True),
    ("cordon_node", "node-1 is patched, bring it back into service", True),
    ("drain_node", "disk replaced on node-1, return it to the pool", True),
    ("uncordon_node", "node-1 is patched, bring it back into service", False),
    ("drain_node", "take node-1 out of rotation and drain it", False),
    ("drain_node", "drain node-1, the pods will move to the pool's other nodes", False),
    ("uncordon_node", "node-1 was taken out of rotation yesterday, uncordon it", False),
])
def test_back_into_rotation_is_no_drain_or_cordon(intent: str, text: str, wrong: bool) -> None:
    from chatops.conversation.asking import wrong_rotation

    assert wrong_rotation(intent, text) is wrong
