"""How one node's answer reads (pure presentation): the node first, then the pods on it,
always with their namespace (a node's pods may be of any, and a drain moves them all)."""

from __future__ import annotations

from chatops.messages import records_text
from chatops.results import NodeInfo, PodInfo


def pod(name: str, namespace: str) -> PodInfo:
    return PodInfo(name, namespace, "Running", "1/1", 0, "node-3", 60)


def test_the_node_comes_first_then_its_pods_with_their_namespace() -> None:
    node = NodeInfo("node-3", True, False, (), "4", "16Gi", 2)
    lines = records_text((node, pod("web-1", "prod"), pod("kube-proxy-x", "kube-system"))
                         ).splitlines()
    assert lines[0].startswith("node-3: Ready, schedulable")
    assert lines[1].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "NODE",
                                "AGE"]
    assert lines[2].split()[:2] == ["prod", "web-1"]
    assert lines[3].split()[:2] == ["kube-system", "kube-proxy-x"]


def test_pods_of_one_namespace_keep_the_table_they_had() -> None:
    lines = records_text((pod("web-1", "prod"), pod("web-2", "prod"))).splitlines()
    assert lines[0].split()[0] == "NAME" and len(lines) == 3


def test_a_nodes_pods_of_one_namespace_still_say_it() -> None:
    node = NodeInfo("node-3", True, False, (), "4", "16Gi", 1)
    lines = records_text((node, pod("web-1", "prod"))).splitlines()
    assert lines[1].split()[0] == "NAMESPACE" and lines[2].split()[:2] == ["prod", "web-1"]
