from __future__ import annotations

import json

import pytest

from chatops.alerts import AlertPayloadError, parse_alertmanager, parse_bot_message
from chatops.alerts.work import owner_deployment


def webhook(*alerts: dict[str, object], status: str = "firing") -> bytes:
    return json.dumps({"version": "4", "status": status, "groupKey": "{}:{alertname=\"X\"}",
                       "commonLabels": {}, "alerts": list(alerts)}).encode()


def test_alertmanager_webhook_is_parsed() -> None:
    body = webhook({"status": "firing", "fingerprint": "abc123",
                    "labels": {"alertname": "KubePodCrashLooping", "namespace": "payments",
                               "pod": "api-7d9f8b6c5-x2kqp"},
                    "annotations": {"summary": "Pod is crash looping."}})
    [alert] = parse_alertmanager(body)
    assert alert.name == "KubePodCrashLooping" and alert.fingerprint == "abc123"
    assert alert.labels["namespace"] == "payments" and alert.status == "firing"
    assert alert.group_key.startswith("{}:")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "alerts"),
        (webhook({"status": "firing", "labels": {"namespace": "x"}}), "no alertname"),
        (webhook({"status": "weird", "labels": {"alertname": "A"}}), "firing or resolved"),
        (webhook({"status": "firing", "labels": {"alertname": ["A"]}}), "bad label"),
        (webhook({"status": "firing", "labels": {"bad key!": "v", "alertname": "A"}}),
         "bad label"),
    ],
)
def test_malformed_webhooks_are_refused_clearly(body: bytes, message: str) -> None:
    with pytest.raises(AlertPayloadError, match=message):
        parse_alertmanager(body)


def test_bot_message_key_value_format() -> None:
    [alert] = parse_bot_message("[FIRING:1] KubePodCrashLooping namespace=payments "
                                "pod=api-7d9f8b6c5-x2kqp severity=critical")
    assert alert.status == "firing"
    assert dict(alert.labels) == {"alertname": "KubePodCrashLooping", "namespace": "payments",
                                  "pod": "api-7d9f8b6c5-x2kqp", "severity": "critical"}
    [again] = parse_bot_message("[FIRING:1] KubePodCrashLooping severity=critical "
                                "pod=api-7d9f8b6c5-x2kqp namespace=payments")
    assert again.fingerprint == alert.fingerprint


def test_bot_message_bullet_format_and_resolved() -> None:
    text = ("[RESOLVED] KubeDeploymentReplicasMismatch\n*Alert:* replicas mismatch\n"
            "*Details:*\n • *alertname:* `KubeDeploymentReplicasMismatch`\n"
            " • *namespace:* `prod`\n • *deployment:* `checkout-api`")
    [alert] = parse_bot_message(text)
    assert alert.status == "resolved"
    assert alert.labels["deployment"] == "checkout-api" and alert.labels["namespace"] == "prod"


def test_bot_message_without_marker_is_refused() -> None:
    with pytest.raises(AlertPayloadError, match="marker"):
        parse_bot_message("hello team, lunch?")


def test_owner_deployment_from_pod_name() -> None:
    names = ("api", "api-gateway", "redis")
    assert owner_deployment("api-7d9f8b6c5-x2kqp", names) == "api"
    assert owner_deployment("api-gateway-84d5f6c7b8-zx9vw", names) == "api-gateway"
    assert owner_deployment("redis-0", ("redis",)) == "redis"
    assert owner_deployment("other-1-2", names) is None
