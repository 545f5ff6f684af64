"""Stateful: a write request whose target is a stateful system, a member of one, or an
operator's custom resource, named by what it is rather than by a kind word.

"bounce the kafka brokers", "restart the postgres primary", "scale the redis cluster to 6
shards", "roll back the Kafka resource my-cluster", "set memory on the Elasticsearch
logs-es": the model reads these onto a deployment runbook, with the member word or the
product's name as the deployment. No runbook changes a statefulset's members, an
operator's cluster or any custom resource (the operator owns their pods and would undo a
change made under it), so the conversation refuses them like any other kind (`kinds.py`).

What counts is the order's own object (`asking.order_head`): a system named in the context
("restart checkout after the kafka brokers came back") is not what is asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.asking import CHANGE as _CHANGE
from chatops.conversation.asking import order_head
from chatops.conversation.kinds import TARGETS, clean_text
from chatops.model import SlotSpan

# Stateful systems that run as statefulsets or under an operator (never as a plain
# deployment a restart or a scale could manage), and operators' own names for them.
_SYSTEMS = (r"kafka|strimzi|zookeeper|zk|elasticsearch|elastic|es|opensearch|eck|rabbitmq|"
            r"rabbit|postgres|postgresql|pg|cnpg|patroni|mongodb|mongo|mysql|mariadb|galera|"
            r"percona|vitess|cassandra|scylla|scylladb|etcd|clickhouse|cockroach|cockroachdb|"
            r"crdb|pulsar|bookkeeper|spark|flink|alertmanager|prometheus|thanos|nifi|"
            r"solr|couchbase|couchdb|influxdb|timescale|timescaledb|tidb|yugabyte|neo4j|"
            r"redis|valkey|dragonfly|memcached")
# What a member of such a system, or a part of it, is called: "the kafka brokers", "the
# postgres primary", "the elasticsearch data tier", "the flink jobmanager".
_MEMBERS = (r"brokers?|primary|primaries|masters?|leaders?|followers?|standbys?|replicas? set|"
            r"members?|ensemble|quorum|ring|tiers?|shards?|data nodes?|master nodes?|"
            r"coordinators?|coordinating nodes?|ingest nodes?|jobmanagers?|job managers?|"
            r"taskmanagers?|task managers?|drivers?|executors?|bookies|sentinels?|"
            r"arbiters?|mongos|config servers?|tablets?|tservers?|segments?")
# What an operator calls its object: "the Kafka resource", "the CNPG cluster", "the
# alertmanager instance", "the spark application".
_RESOURCES = r"resources?|crs?|custom resources?|clusters?|instances?|applications?|objects?"
# A Kubernetes name: lower case, with a dash, a dot or a digit ("my-cluster", "logs-es").
_NAME = r"[a-z0-9]+(?:[-.][a-z0-9]+)+|[a-z]+\d[a-z0-9]*"
_SYSTEM_PART = re.compile(
    r"(?<![\w.-])(?:" + _SYSTEMS + r")(?:\s+(?:" + _NAME + r"|[a-z]+))?\s+(?:(" + _MEMBERS
    + r")|(" + _RESOURCES + r"))(?![\w-])", re.IGNORECASE)
# A system's name before an object's name: "the strimzi kafka my-cluster", "the
# Elasticsearch logs-es". Not a name that holds the system's ("kafka-connect"), nor a
# cache, which often runs as a plain deployment ("the redis session-cache").
_CACHES = frozenset({"redis", "valkey", "dragonfly", "memcached"})
_SYSTEM_NAMED = re.compile(r"(?<![\w.-])(" + _SYSTEMS + r")\s+(?:" + _NAME + r")(?![\w-])",
                           re.IGNORECASE)
# A member word with a word before it that names whose it is: "the orders-db primary";
# not "the primary" alone (or "bounce primary"), which may be a deployment's name.
_MEMBER_OF = re.compile(r"(?<![\w.-])([\w.-]+)\s+(?:" + _MEMBERS + r")(?![\w-])",
                        re.IGNORECASE)
_NOT_AN_OWNER = re.compile(r"the|a|an|our|my|your|their|its|this|that|those|these|all|both|"
                           r"each|every|to|on|in|of|from|with|\d+|" + _CHANGE, re.IGNORECASE)
# A CamelCase word is a kind (Kubernetes names are lower case): "the RabbitmqCluster", "the
# RedisFailover cache-rf". Not the kinds the runbooks change, said in full. Taken for the
# target's name, only with a kind's ending: "CoreDNS" is how people write a deployment.
_CAMEL = re.compile(r"(?<![\w.-])[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+(?![\w-])")
_CAMEL_KIND = re.compile(r"[A-Z][A-Za-z0-9]*(?:Cluster|Failover|Instance|Set|Application|"
                         r"Resource|Community|Release|Object|Claim|Topic|User|Connector|Mirror|"
                         r"MirrorMaker2?|Index|Database|Policy|Rule|Config|Template|Pool|Route|"
                         r"Certificate|Issuer|Monitor|Rollout|Kustomization|Store|Backup|"
                         r"Schedule|Restore|Snapshot|Connect|Bridge|Rebalance|Tenant|Account)")
_OWN_KINDS = frozenset({"Deployment", "CronJob", "HorizontalPodAutoscaler", "Pod", "Node"})
# Said to be an operator's: "thanos-ruler, it's managed by the prometheus operator".
_OPERATED = re.compile(r"\bmanaged by (?:the |an? |our )?[\w-]+(?: [\w-]+)? operator\b|"
                       r"\b(?:operator|crd)-managed\b|\bowned by (?:the |an? )?[\w-]+ operator\b",
                       re.IGNORECASE)
# An operator's kind written in lower case: "the rabbitmqcluster orders-mq", "the strimzi
# kafkanodepool pool-a", "the postgrescluster ledger-pg".
_LOWER_KIND = re.compile(r"(?<![\w.-])(?:" + _SYSTEMS + r")(?:cluster|clusters|nodepool|nodepools|"
                         r"failover|topic|topics|user|users|connect|connector|connectors|"
                         r"community|mirrormaker2?|rebalance|bridge|sentinel|replication|"
                         r"instance|backup|backups|restore|pool|pools|set)(?![\w-])",
                         re.IGNORECASE)
# A workload that runs one pod on every node is a daemonset, however it is named: "restart
# node-exporter, it's the per-node one".
_PER_NODE = re.compile(r"\b(?:per-?node|one (?:pod )?(?:per|on each|on every) node|"
                       r"runs? on (?:every|each|all (?:the )?)nodes?|on every node)\b",
                       re.IGNORECASE)


def stateful_target(text: str, spans: Iterable[SlotSpan], slots: Iterable[str]) -> str | None:
    """The kind of object a request read as a runbook with `slots` asks to change, when its
    order names a stateful system's member or part, an operator's resource, a CamelCase
    kind, or a per-node workload ("stateful cluster", "custom resource", "daemonset");
    None otherwise, and for runbooks that change nodes or nothing."""
    names = set(slots)
    if not names & {"deployment", "pod"}:
        return None
    cleaned = clean_text(text)
    targets = [span for span in spans if span.slot in TARGETS]
    if any(_CAMEL.fullmatch(span.text.strip()) and _CAMEL_KIND.fullmatch(span.text.strip())
           and span.text.strip() not in _OWN_KINDS for span in targets):
        return "custom resource"  # the model took the kind for the name
    head = order_head(text)
    a, b = head if head is not None else (0, len(cleaned))
    order = cleaned[a:b]
    if _OPERATED.search(cleaned) or _LOWER_KIND.search(cleaned):
        return "custom resource"
    part = _SYSTEM_PART.search(order)
    if part is not None:
        return "stateful cluster" if part.group(1) else "custom resource"
    for named in _SYSTEM_NAMED.finditer(order):
        if named.group(1).lower() not in _CACHES and any(
                a + named.start() < span.end and span.start < a + named.end() for span in targets):
            return "custom resource"
    for member in _MEMBER_OF.finditer(order):
        if not _NOT_AN_OWNER.fullmatch(member.group(1)) and any(
                a + member.start() <= span.start < a + member.end() for span in targets):
            return "stateful cluster"
    camel = [m for m in _CAMEL.finditer(order) if m.group(0) not in _OWN_KINDS]
    if camel and not targets:
        return "custom resource"
    if "deployment" in names and _PER_NODE.search(cleaned):
        return "daemonset"
    return None
