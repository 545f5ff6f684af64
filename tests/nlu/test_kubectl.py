"""A message that is one kubectl command is read as kubectl reads it (`intents/kubectl.py`):
its runbook and the slots its flags give, out of scope for what no runbook does, and the
model's to read when it is more than the command (session 47)."""

from __future__ import annotations

import pytest

from chatops.model import OUT_OF_SCOPE
from intents import ModelParser
from intents.kubectl import read_kubectl

READ = [
    ("kubectl rollout restart deploy/checkout-api -n payments", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "payments"}),
    ("pls run `kubectl logs deploy/api -c app --tail=200 -n shop` thanks", "pod_logs",
     {"deployment": "api", "container": "app", "lines": "200", "namespace": "shop"}),
    ("kubectl logs -f api-7d9f8b6c5-x2kqp --namespace=shop --since=10m", "pod_logs",
     {"pod": "api-7d9f8b6c5-x2kqp", "namespace": "shop", "since": "10m"}),
    ("kubectl scale deployment web --replicas=5 -n shop", "scale_deployment",
     {"deployment": "web", "replicas": "5", "namespace": "shop"}),
    ("kubectl scale deploy/web --replicas 0 --namespace shop please", "scale_deployment",
     {"deployment": "web", "replicas": "0", "namespace": "shop"}),
    ("kubectl set image deployment/quote-svc app=registry.acme.io/quote-svc:9.1.0 -n sales",
     "set_image", {"deployment": "quote-svc", "container": "app",
                   "image": "registry.acme.io/quote-svc:9.1.0", "namespace": "sales"}),
    ("kubectl set resources deploy/api -c app --limits=cpu=500m,memory=1Gi "
     "--requests=cpu=250m,memory=512Mi -n shop", "set_resources",
     {"deployment": "api", "container": "app", "cpu_limit": "500m", "memory_limit": "1Gi",
      "cpu_request": "250m", "memory_request": "512Mi", "namespace": "shop"}),
    ("kubectl patch cronjob nightly-report -n batch -p '{\"spec\":{\"suspend\":true}}'",
     "suspend_cronjob", {"cronjob": "nightly-report", "namespace": "batch"}),
    ("kubectl patch cj/nightly-report -n batch -p '{\"spec\": {\"suspend\": false}}'",
     "resume_cronjob", {"cronjob": "nightly-report", "namespace": "batch"}),
    ("kubectl delete pod api-7d9f8b6c5-x2kqp -n shop", "delete_pod",
     {"pod": "api-7d9f8b6c5-x2kqp", "namespace": "shop"}),
    ("kubectl get pods -n shop -o wide", "show_pods", {"namespace": "shop"}),
    ("kubectl get nodes", "node_status", {}),
    ("kubectl describe node ip-10-0-1-2.ec2.internal", "node_status",
     {"node": "ip-10-0-1-2.ec2.internal"}),
    ("kubectl describe po/api-7d9f8b6c5-x2kqp -nshop", "describe_pod",
     {"pod": "api-7d9f8b6c5-x2kqp", "namespace": "shop"}),
    ("kubectl get events -n shop --sort-by=.lastTimestamp", "recent_events",
     {"namespace": "shop"}),
    ("<@U0123ABCD> kubectl drain node-3 --ignore-daemonsets --delete-emptydir-data",
     "drain_node", {"node": "node-3"}),
    ("kubectl rollout undo deploy/api --to-revision=3 -n shop", "rollback_deployment",
     {"deployment": "api", "revision": "3", "namespace": "shop"}),
    ("kubectl rollout history deployment.apps/api -n shop", "rollout_history",
     {"deployment": "api", "namespace": "shop"}),
    ("$ kubectl rollout status deploy api -n shop", "deployment_status",
     {"deployment": "api", "namespace": "shop"}),
    ("can you run kubectl uncordon node-2 for me", "uncordon_node", {"node": "node-2"}),
    ("kubectl patch hpa ledger-api -n accounting -p '{\"spec\":{\"minReplicas\":2,"
     "\"maxReplicas\":10}}'", "set_autoscaling",
     {"deployment": "ledger-api", "namespace": "accounting", "min_replicas": "2",
      "max_replicas": "10"}),
    ("kubectl get pods -n kube-system -o jsonpath='{..image}'", "list_images",
     {"namespace": "kube-system"}),
    ("kubectl get po -n shop -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*]"
     ".image", "list_images", {"namespace": "shop"}),
    # A second review: verbosity's value is no revision; a question mark is the sentence's.
    ("kubectl rollout undo deploy/x -n prod -v 6 --to-revision=1", "rollback_deployment",
     {"deployment": "x", "namespace": "prod", "revision": "1"}),
    ("kubectl drain node-1?", "drain_node", {"node": "node-1"}),
]


@pytest.mark.parametrize(("text", "intent", "slots"), READ)
def test_a_kubectl_command_is_read_as_kubectl_reads_it(text: str, intent: str,
                                                       slots: dict[str, str]) -> None:
    reading = read_kubectl(text)
    assert reading is not None, text
    assert (reading.intent, {s.slot: s.text for s in reading.spans}) == (intent, slots)
    for span in reading.spans:
        assert text[span.start:span.end] == span.text


@pytest.mark.parametrize("text", [
    "kubectl delete svc api -n shop",
    "kubectl delete deploy api -n shop",
    "kubectl delete ns shop",
    "kubectl exec -it api-7d9f8b6c5-x2kqp -n shop -- sh",
    "kubectl apply -f deploy.yaml",
    "kubectl label node node-2 disk=ssd",
    "kubectl rollout pause deploy/api -n shop",
    # Another cluster or identity: the bot acts on its own, as the person asking (a probe
    # planned the first on the bot's cluster).
    "kubectl --context other rollout restart deploy/api -n shop",
    "kubectl --as admin delete pod api-7d9f8b6c5-x2kqp -n shop",
    "kubectl rollout restart deploy/api -n shop --kubeconfig ~/.kube/staging",
    # A second review: several nodes at once, a resource no runbook sets (the model read
    # "xcpu=9" as a CPU limit of 9).
    "kubectl drain node-1 node-2",
    "kubectl cordon worker-a worker-b",
    "kubectl uncordon ip-10-0-1-2.ec2.internal ip-10-0-1-3.ec2.internal",
    # Words after the node (session 48's attacker review, when they went to the model: the
    # node ruled out drained, a retraction or a question planned).
    "kubectl drain node-1 not node-2",
    "kubectl drain node-1 instead of node-2",
    "kubectl cordon node-1 to drain node-2 safely",
    "kubectl drain node-1 jk",
    "kubectl drain node-1 would that work?",
    "kubectl drain node-1 on cluster b",
    "kubectl uncordon aks-nodepool1-28374651-vmss00000a once the upgrade is done",
    # Several objects of the kind a change takes (a second review: the model read the
    # second as the first's namespace).
    "kubectl scale deploy checkout-api payments --replicas=0",
    "kubectl rollout restart deployment api billing",
    "kubectl set image deploy api billing app=nginx:1.25",
    "kubectl delete pod a-7d9f8b6c5-x2kqp b-7d9f8b6c5-x2kqp -n shop",
    "kubectl set resources deploy/x --limits=xcpu=9 -n prod",
    "kubectl set resources deploy/x --limits=memory=1Gi,hugepages-memory=2Gi -n prod",
    "kubectl set resources deploy/x --limits=example.com/cpu=4 -n prod",
])
def test_a_command_no_runbook_does_is_out_of_scope(text: str) -> None:
    reading = read_kubectl(text)
    assert reading is not None and reading.intent == OUT_OF_SCOPE, reading


@pytest.mark.parametrize("text", [
    # More than the command: the model's, and the guards'.
    "kubectl rollout restart deploy/api -n shop didn't help, any idea?",
    "I ran kubectl rollout restart deploy/api -n shop earlier. Still broken.",
    "why does kubectl rollout restart deploy/api -n shop hang?",
    # Two commands, or one into another.
    "kubectl rollout restart deploy/a -n b && kubectl rollout restart deploy/c -n d",
    "kubectl get pods -n shop | grep api",

    # More or other objects than a runbook takes, or nothing changed.
    "kubectl get pods -A",
    "kubectl get pods -l app=api -n shop",
    "kubectl scale deploy api --replicas=3 -n shop --dry-run=client",
    "kubectl delete pods --all -n shop",
    # A kind no runbook changes: the model's, and the conversation says which.
    "kubectl rollout restart sts/kafka -n data",
    "kubectl scale statefulset redis --replicas=3 -n cache",
    "kubectl set image deploy/api app=nginx:1 sidecar=envoy:2 -n shop",
    "kubectl patch cronjob nightly -n batch -p '{\"spec\":{\"schedule\":\"0 3 * * *\"}}'",
    "kubectl top pods -n shop",
    # A second review: values kubectl would refuse, and flags this reader does not know.
    "kubectl scale deploy/api --replicas=-3 -n shop",
    "kubectl scale deploy/api --replicas=50% -n shop",
    "kubectl patch hpa api -n shop -p '{\"spec\":{\"maxReplicas\":2e1}}'",
    "kubectl patch hpa api -n shop -p '{\"spec\":{\"maxReplicas\":20.9}}'",
    "kubectl patch hpa api -n shop -p '{\"spec\":{\"minReplicas\":20,\"maxReplicas\":2}}'",
    "kubectl set image deploy/api =nginx:1.2 -n shop",
    "kubectl set resources deploy/x --containers=app --limits=cpu=1 -n prod",
    "kubectl logs deploy/api --tail=-5 -n shop",
    # A patch of more than a runbook changes.
    "kubectl patch hpa api -n shop -p '{\"spec\":{\"maxReplicas\":20,\"metrics\":[]}}'",
    "kubectl patch cj x -n y -p '{\"spec\":{\"suspend\":true,\"schedule\":\"0 * * * *\"}}'",
    "restart api in shop",
])
def test_anything_else_is_the_model_s_to_read(text: str) -> None:
    assert read_kubectl(text) is None


def test_the_parser_answers_with_the_command_s_reading(shipped_model: ModelParser) -> None:
    parsed = shipped_model.parse("kubectl set resources deploy/api -c app "
                                 "--limits=cpu=500m,memory=1Gi -n shop")
    assert (parsed.intent, dict(parsed.slots)) == ("set_resources", {
        "deployment": "api", "container": "app", "cpu_limit": "500m", "memory_limit": "1Gi",
        "namespace": "shop"})
    assert shipped_model.parse("kubectl --context other rollout restart deploy/api -n shop"
                               ).intent == OUT_OF_SCOPE
