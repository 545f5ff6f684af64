from __future__ import annotations

import pytest

from chatops.executor.redact import MASK, redact, redact_lines

JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ."
       "c2lnbmF0dXJlLXBhcnQtaGVyZQ")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcdef0123456789abcdef", "abcdef0123456789abcdef"),
        ("connecting to postgres://app:s3cr3tP4ss@db:5432/shop", "s3cr3tP4ss"),
        ("https://user:hunter2@registry.example/v2/", "hunter2"),
        ("using key AKIAIOSFODNN7EXAMPLE for s3", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        (f"token {JWT} rejected", JWT),
        ("password=hunter2 user=bob", "hunter2"),
        ('{"password": "p@ss w0rd"}', "p@ss w0rd"),
        ("DB_PASSWORD: letmein", "letmein"),
        ("api_key=sk_live_123456", "sk_live_123456"),
        ("client_secret='abc123'", "abc123"),
        ("token=ghp_abcdefghijklmnopqrstuvwxyz0123", "ghp_abcdefghijklmnopqrstuvwxyz0123"),
        ("slack xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n-----END RSA PRIVATE KEY-----",
         "MIIEow"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "REDACTED" in out


def test_ordinary_text_is_left_alone() -> None:
    line = "GET /healthz 200 12ms user=bob tokens_used=3 reason=OOMKilled"
    assert redact(line) == line.replace("tokens_used=3", f"tokens_used={MASK}")
    assert redact("starting app (image nginx:1.27)") == "starting app (image nginx:1.27)"
    assert redact("Back-off restarting failed container api") == (
        "Back-off restarting failed container api")


def test_private_key_over_several_lines() -> None:
    lines = ["loading key", "-----BEGIN PRIVATE KEY-----", "MIIEvQIBADANBg", "kqhkiG9w0B",
             "-----END PRIVATE KEY-----", "listening on :8080"]
    out = redact_lines(lines)
    assert out[0] == "loading key" and out[-1] == "listening on :8080"
    assert not any("MIIE" in line or "kqhk" in line for line in out)


def test_url_without_password_is_kept() -> None:
    assert redact("fetching https://example.com/a:b") == "fetching https://example.com/a:b"


def test_a_waiting_message_in_the_logs_answer_is_redacted() -> None:
    # An attacker review: the line explaining why a container has no logs quoted the
    # kubelet's message raw (describe redacts the same field).
    from chatops.executor.reads import _not_started

    pod = {"metadata": {"name": "p"}, "status": {"containerStatuses": [{
        "name": "app", "restartCount": 0, "state": {"waiting": {
            "reason": "RunContainerError",
            "message": ("exec failed: password=Sup3rS3cretVal token "
                        "ghp_0123456789abcdef0123456789abcdef0123")}}}]}}
    line = _not_started(pod, "app") or ""
    assert "RunContainerError" in line
    assert "Sup3rS3cretVal" not in line and "ghp_0123456789abcdef" not in line
