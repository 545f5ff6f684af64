"""Value lexicons for filling runbook example templates: names as they look in real clusters.

Each generator returns a value for one slot *type*. The lexicons are split into a train
part and a held-out part (by a stable hash of the value), so the dev set also measures
names the model never saw, as it will meet them in a real cluster.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from collections.abc import Callable, Sequence

_SERVICE_STEMS = (
    "checkout", "payments", "payment", "cart", "auth", "user", "users", "order", "orders",
    "inventory", "search", "billing", "invoice", "notification", "notifications", "email",
    "calc", "web", "api", "gateway", "frontend", "backend", "worker", "scheduler", "ingest",
    "metrics", "ledger", "catalog", "catalogue", "pricing", "shipping", "recommendation",
    "profile", "session", "identity", "accounts", "reporting", "analytics", "media",
    "upload", "thumbnailer", "webhook", "booking", "quote", "fraud", "risk", "kyc",
    "loyalty", "coupon", "promo", "chat", "feed", "events", "audit", "export", "import",
    "sync", "mailer", "sms", "push", "geo", "tax", "currency", "ads", "storefront",
    "admin", "portal", "dashboard", "graphql", "grpc", "edge", "partner", "vendor",
)
_SERVICE_SUFFIXES = (
    "", "", "", "-api", "-api", "-service", "-svc", "-worker", "-app", "-web", "-frontend",
    "-backend", "-v2", "-consumer", "-cache", "-proxy", "-server", "-gateway", "-job",
    "-processor", "-handler", "-ui", "-grpc",
)
_SERVICE_NAMES = (
    "checkout-api", "payments", "calc-app", "web-frontend", "redis-cache", "kube-dns",
    "coredns", "metrics-server", "ingress-nginx-controller", "cert-manager", "argocd-server",
    "grafana", "prometheus-server", "alertmanager", "kube-state-metrics", "cluster-autoscaler",
    "external-dns", "aws-load-balancer-controller", "istiod", "jaeger-collector", "loki",
    "tempo", "vault", "keycloak", "rabbitmq", "kafka-connect", "elasticsearch-exporter",
    "postgres-exporter", "nginx", "httpbin", "podinfo", "frontend", "cartservice",
    "adservice", "emailservice", "productcatalogservice", "currencyservice", "redis",
    "memcached", "sentry-web", "minio", "harbor-core", "nats", "temporal-frontend",
)
_NAMESPACES = (
    "prod", "production", "staging", "stage", "dev", "development", "qa", "test", "uat",
    "payments", "kube-system", "monitoring", "default", "ingress-nginx", "cert-manager",
    "argocd", "observability", "logging", "platform", "data", "ml", "team-a", "team-b",
    "prod-eu", "prod-us", "sandbox", "preview", "istio-system", "security", "backend",
    "frontend", "infra", "batch", "checkout", "web", "canary", "perf", "demo",
)
_CRONJOB_NAMES = (
    "nightly-backup", "db-backup", "report-generator", "cleanup-jobs", "cert-renewal",
    "sync-users", "log-rotate", "billing-export", "cache-warmer", "daily-report",
    "etl-nightly", "purge-old-sessions", "invoice-run", "index-rebuild", "snapshot",
    "weekly-digest", "token-refresh", "data-export", "s3-sync", "metrics-rollup",
    "gc-images", "reconcile-payments", "send-reminders", "hourly-aggregation",
    "backup-postgres", "vacuum-db", "rotate-keys", "pull-fx-rates", "sitemap-builder",
)
_CONTAINERS = (
    "app", "nginx", "sidecar", "istio-proxy", "envoy", "main", "web", "api", "worker",
    "init-db", "log-shipper", "fluent-bit", "server", "proxy", "migrate", "redis",
    "exporter", "cloud-sql-proxy", "vault-agent", "linkerd-proxy", "php-fpm", "gunicorn",
)
_REGISTRIES = (
    "", "", "ghcr.io/acme/", "registry.example.com/team/", "quay.io/acme/",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/", "gcr.io/acme-prod/",
    "docker.io/library/", "europe-docker.pkg.dev/acme/apps/", "harbor.internal/platform/",
)
_IMAGE_NAMES = (
    "nginx", "redis", "api", "checkout", "payments", "web", "worker", "postgres", "busybox",
    "node-exporter", "envoy", "frontend", "calc-app", "billing", "httpd", "python", "alpine",
)
_TAG_FORMS: tuple[Callable[[random.Random], str], ...] = (
    lambda r: f"{r.randint(1, 3)}.{r.randint(0, 30)}",
    lambda r: f"{r.randint(1, 3)}.{r.randint(0, 30)}.{r.randint(0, 12)}",
    lambda r: f"v{r.randint(0, 5)}.{r.randint(0, 20)}.{r.randint(0, 15)}",
    lambda r: f"{r.randint(1, 9)}.{r.randint(0, 9)}-alpine",
    lambda r: f"sha-{''.join(r.choice('0123456789abcdef') for _ in range(7))}",
    lambda r: f"2024.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}",
    lambda r: f"release-{r.randint(100, 999)}",
    lambda r: "latest",
)
_ENVS = ("prod", "staging", "dev", "qa", "test", "stg", "preprod", "sandbox")
_REGIONS = ("eu", "us", "us-east-1", "eu-west-1", "apac", "east", "west")
_JOB_PREFIXES = ("nightly", "daily", "hourly", "weekly", "monthly", "cron")
_JOB_SUFFIXES = (
    "backup", "sync", "report", "cleanup", "export", "rollup", "refresh", "digest",
    "reindex", "purge", "snapshot", "import", "reminder", "rotation", "job", "cron",
)
_CONTAINER_SUFFIXES = ("", "", "-sidecar", "-init", "-proxy", "-agent", "-exporter")
_DURATIONS = (
    "10m", "5m", "15m", "30m", "1h", "2h", "6h", "12h", "24h", "90s", "45m", "3h", "1d",
    "20m", "2m", "30s", "48h", "1h30m",
)
# Durations written out, each accepted by `parse_duration` ("30 minutes", "2 hrs").
_DURATION_WORDS = (
    "30 minutes", "2 hours", "15 minutes", "10 mins", "1 hour", "45 min", "6 hours",
    "90 seconds", "3 hrs", "1 day", "20 minutes", "12 hours", "5 minutes", "2 days",
    "24 hours", "4 hours", "an hour", "40 mins", "8 hrs", "1 hr",
)
# Unit spellings `parse_duration` accepts, with the numbers people use them with (a unit
# without an "s" gets one after a number other than 1: "2 hour" -> "2 hours").
_UNIT_SPELLINGS = {
    "minute": (1, 90), "mins": (2, 90), "min": (1, 90), "m": (1, 90), "hour": (1, 48),
    "hrs": (2, 48), "hr": (1, 24), "h": (1, 48), "day": (1, 6), "d": (1, 6),
    "second": (30, 300), "secs": (30, 300),
}
_FULL_UNITS = frozenset(("minute", "hour", "day", "second"))
# CPU and memory amounts as `parse_resource` accepts them (within the runbooks' bounds).
_CPU_AMOUNTS = (
    "250m", "500m", "100m", "0.5", "2", "1", "1.5", "4", "750m", "200m", "50m", "0.25",
    "3", "1500m", "300m", "8", "125m", "0.1", "2.5", "1000m", "400m", "6", "150m",
)
_MEMORY_AMOUNTS = (
    "256Mi", "1Gi", "512Mi", "2Gi", "128Mi", "768Mi", "4Gi", "1.5Gi", "384Mi", "64Mi",
    "3Gi", "8Gi", "1536Mi", "640Mi", "2.5Gi", "96Mi", "16Gi", "500M", "1G", "2048Mi",
    "320Mi", "6Gi", "192Mi",
)
_HYGIENE_CHECKS = (
    "memory limits", "cpu limits", "cpu requests", "memory requests", "resource limits",
    "requests", "limits", "resource requests", "cpu and memory limits", "mem limits",
    "ram limits", "readiness probe", "readiness probes", "liveness probe", "liveness probes",
    "probes", "health checks", ":latest", "latest tag", "latest", "untagged images",
    "unpinned tags", "registries outside our list", "unapproved registries",
    "an external registry", "privileged", "privileged mode", "root", "run as root",
    "runAsNonRoot", "hostPath", "host path volumes", "tty", "stdin", "limit ratio",
    "overcommit", "cpu limit", "memory limit", "readiness checks", "image tags",
    "cpu or memory limits", "hostPath volumes", "mutable image tags", "host path mounts",
    "privileged containers", "memory requests or limits", "resource limits and requests",
    "liveness or readiness probes", "images from untrusted registries", "running as root",
    "runAsNonRoot set", "interactive tty", "tty or stdin", "cpu limit ratio",
    "missing probes", "requests and limits", "hostpath mounts", "the latest tag",
)
_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_NAME_TYPES = frozenset(
    ("deployment", "namespace", "pod", "node", "cronjob", "container", "image")
)


def _held_out(value: str, seed: int) -> bool:
    """Whether `value` belongs to the held-out (dev) part of a lexicon: ~20%, stable."""
    digest = hashlib.sha256(f"{seed}:{value}".encode()).digest()
    return digest[0] < 52  # 52/256: about a fifth


def _split(values: Sequence[str], seed: int, dev: bool) -> tuple[str, ...]:
    chosen = tuple(v for v in values if _held_out(v, seed) == dev)
    return chosen or tuple(values)


class Lexicon:
    """Random slot values by slot type, drawn from the train or the held-out part."""

    def __init__(self, rng: random.Random, *, dev: bool = False, seed: int = 0,
                 composed_durations: bool = False) -> None:
        self._rng = rng
        self._dev = dev
        self._composed_durations = composed_durations
        self._stems = _split(_SERVICE_STEMS, seed, dev)
        self._services = _split(_SERVICE_NAMES, seed, dev)
        self._namespaces = _split(_NAMESPACES, seed, dev)
        self._cronjobs = _split(_CRONJOB_NAMES, seed, dev)
        self._containers = _split(_CONTAINERS, seed, dev)
        self._image_names = _split(_IMAGE_NAMES, seed, dev)
        self._checks = _split(_HYGIENE_CHECKS, seed, dev)

    def deployment(self) -> str:
        """A deployment name: a known project name or a stem plus a common suffix."""
        r = self._rng
        if r.random() < 0.35:
            return r.choice(self._services)
        name = r.choice(self._stems) + r.choice(_SERVICE_SUFFIXES)
        if r.random() < 0.1:
            name = f"{r.choice(self._stems)}-{name}"
        return name

    def namespace(self) -> str:
        """A namespace name: a common one, or one built the way teams name them.

        Built names keep the model from memorising a short list: it has to read the
        context ("in X", "-n X") to tell a namespace from a deployment.
        """
        r = self._rng
        roll = r.random()
        if roll < 0.5:
            return r.choice(self._namespaces)
        stem = r.choice(self._stems)
        if roll < 0.62:
            # Generated names (CI runs, preview environments, per-branch or per-test
            # namespaces): a hash or a number is all there is to read, so only the context
            # says it is a namespace.
            tag = "".join(r.choice(_HASH_ALPHABET) for _ in range(r.choice((4, 5, 6))))
            return r.choice((f"{r.choice('abcpwx')}{tag}-{r.choice(_ENVS)}",
                             f"pr-{r.randint(1, 9999)}", f"{stem}-pr-{r.randint(1, 999)}",
                             f"ci-{tag}", f"{stem}-{tag}", f"preview-{tag}",
                             f"{r.choice(_ENVS)}-{tag}"))
        forms = (stem, f"{stem}-{r.choice(_ENVS)}", f"{r.choice(_ENVS)}-{r.choice(_REGIONS)}",
                 f"team-{stem}", f"{r.choice(_ENVS)}-{stem}")
        return r.choice(forms)

    def pod(self) -> str:
        """A pod name: Deployment pods carry the ReplicaSet hash and a pod suffix."""
        r = self._rng
        base = self.deployment()
        roll = r.random()
        if roll < 0.7:
            rs = "".join(r.choice(_HASH_ALPHABET) for _ in range(r.choice((8, 9, 10))))
            pod = "".join(r.choice(_HASH_ALPHABET) for _ in range(5))
            return f"{base}-{rs}-{pod}"
        if roll < 0.85:
            return f"{base}-{r.randint(0, 5)}"
        return f"{base}-{''.join(r.choice(_HASH_ALPHABET) for _ in range(5))}"

    def node(self) -> str:
        """A node name in one of the shapes cloud providers and local clusters use."""
        r = self._rng
        forms: tuple[Callable[[], str], ...] = (
            lambda: f"ip-10-{r.randint(0, 255)}-{r.randint(0, 255)}-{r.randint(1, 254)}"
            + r.choice((".ec2.internal", ".us-west-2.compute.internal",
                        ".eu-west-1.compute.internal")),
            lambda: f"gke-{r.choice(('prod', 'staging', 'main', 'ci'))}-"
            f"{r.choice(('pool-1', 'default-pool', 'highmem', 'pool-2'))}-"
            + "".join(r.choice("0123456789abcdef") for _ in range(8))
            + "-" + "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(4)),
            lambda: f"aks-nodepool{r.randint(1, 3)}-{r.randint(10000000, 99999999)}"
            f"-vmss{r.randint(0, 20):06d}",
            lambda: f"node-{r.randint(1, 40)}",
            lambda: f"worker-{r.randint(1, 20)}",
            lambda: f"k8s-worker-{r.randint(1, 12)}",
            lambda: f"kind-worker{r.choice(('', '2', '3'))}",
            lambda: f"{r.choice(('prod', 'stg', 'dev'))}-node-{r.randint(1, 30):02d}",
        )
        return r.choice(forms)()

    def cronjob(self) -> str:
        """A CronJob name: a common one or `<stem>-<job>` / `<schedule>-<stem>`."""
        r = self._rng
        roll = r.random()
        if roll < 0.5:
            return r.choice(self._cronjobs)
        stem = r.choice(self._stems)
        if roll < 0.8:
            return f"{stem}-{r.choice(_JOB_SUFFIXES)}"
        return f"{r.choice(_JOB_PREFIXES)}-{stem}"

    def container(self) -> str:
        """A container name inside a pod."""
        r = self._rng
        if r.random() < 0.6:
            return r.choice(self._containers)
        return r.choice(self._stems) + r.choice(_CONTAINER_SUFFIXES)

    def image(self) -> str:
        """An image reference, a name:tag, or a bare tag ("set image to 1.22")."""
        r = self._rng
        tag = r.choice(_TAG_FORMS)(r)
        roll = r.random()
        if roll < 0.2:
            return tag if tag != "latest" else "1.25"
        return f"{r.choice(_REGISTRIES)}{r.choice(self._image_names)}:{tag}"

    def hygiene_check(self, original: str = "") -> str:
        """A pod hygiene check as people name it; half the time the template's own words
        (they fit its sentence), otherwise another check's."""
        if original and self._rng.random() < 0.5:
            return original
        return self._rng.choice(self._checks)

    def duration(self) -> str:
        """A duration such as 10m, 1h, "30 minutes" or "45 mins"."""
        r = self._rng
        if r.random() < 0.4:
            if not self._composed_durations or r.random() < 0.5:
                return r.choice(_DURATION_WORDS)
            # Any number with any unit spelling, so that the model learns the span is the
            # number *and* its unit ("the last 45 minutes"), not the few pairs listed.
            unit = r.choice(tuple(_UNIT_SPELLINGS))
            low, high = _UNIT_SPELLINGS[unit]
            number = r.randint(low, high)
            spelling = unit + "s" if number > 1 and unit in _FULL_UNITS else unit
            return f"{number}{'' if len(unit) == 1 else r.choice(('', ' ', ' ', ' '))}{spelling}"
        return r.choice(_DURATIONS)

    def cpu(self, original: str = "") -> str:
        """A CPU amount (250m, 0.5, 2); `none` stays `none`."""
        if original.lower() in {"none", "unset"}:
            return original
        return self._rng.choice(_CPU_AMOUNTS)

    def memory(self, original: str = "") -> str:
        """A memory amount (256Mi, 1Gi); `none` stays `none`."""
        if original.lower() in {"none", "unset"}:
            return original
        return self._rng.choice(_MEMORY_AMOUNTS)

    def lines(self) -> str:
        """A log line count."""
        return str(self._rng.choice((10, 20, 50, 100, 200, 300, 500, 1000, 2000, 25, 40, 150)))

    def replicas(self) -> str:
        """A replica count."""
        return str(self._rng.choice((0, 1, 2, 3, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)))

    def integer(self, slot: str) -> str:
        """A small integer, shaped by the slot's name (revision, min/max replicas)."""
        r = self._rng
        if slot.startswith("min"):
            return str(r.randint(1, 5))
        if slot.startswith("max"):
            return str(r.choice((6, 8, 10, 12, 15, 20, 25, 30, 50)))
        return str(r.randint(1, 30))

    def _number_like(self, digits: str) -> str:
        """A random number with about as many digits as `digits` (keeps value shapes)."""
        r = self._rng
        if len(digits) == 1:
            return str(r.randint(0 if digits == "0" else 1, 9))
        if len(digits) == 2:
            return str(r.randint(10, 60))
        return str(r.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    def value(
        self, slot: str, slot_type: str, choices: Sequence[str] = (), original: str = ""
    ) -> str:
        """A value for `slot` of `slot_type`, shaped like the template's `original` value.

        Names come from the lexicons. Other values keep the template's shape, so
        "add [2 more](replicas) pods" becomes "add 7 more pods", never "add 7 pods" with
        a dangling "more", and word forms ("double", "half") stay as written.
        """
        if choices:
            return str(self._rng.choice(tuple(choices)))
        if slot_type == "hygiene_check":
            return self.hygiene_check(original)
        if slot_type == "cpu":
            return self.cpu(original)
        if slot_type == "memory":
            return self.memory(original)
        generators: dict[str, Callable[[], str]] = {
            "deployment": self.deployment,
            "namespace": self.namespace,
            "pod": self.pod,
            "node": self.node,
            "cronjob": self.cronjob,
            "container": self.container,
            "image": self.image,
            "duration": self.duration,
            "lines": self.lines,
            "replicas": self.replicas,
        }
        kind = slot_type if slot_type in generators else slot
        if kind in _NAME_TYPES:
            return generators[kind]()
        if original and not original.isdigit():
            if kind == "duration" and re.fullmatch(
                r"\d+[smhd]|\d+ ?(?:seconds?|minutes?|mins?|hours?|hrs?|days?)", original
            ):
                return self.duration()
            if any(ch.isdigit() for ch in original):
                return re.sub(r"\d+", lambda m: self._number_like(m.group()), original)
            return original
        if kind in generators:
            return generators[kind]()
        if slot == "since":
            return self.duration()
        return self.integer(slot)
