"""A message that is one kubectl command, read as kubectl reads it.

People in an incident channel paste the command they would have typed ("kubectl rollout
restart deploy/checkout-api -n payments", "pls run `kubectl logs deploy/api -c app
--tail=200 -n shop`"). kubectl's syntax says exactly what is meant, while the model,
trained on words, misses its flags: `--limits=cpu=500m,memory=1Gi`, `-c`, a cronjob's
suspend patch, the kind of `sts/kafka` (a restart of a statefulset is no runbook, the model
read it as a deployment's). Read here:

- only a message that is the command: asking words, a mention or backticks before it,
  "pls" or "thanks" after it, nothing else (a command named in a sentence, "kubectl
  rollout restart didn't help", is the model's to read, and the guards');
- one command: `;`, `&&` or `|` leave the message to the model and the one-change rule;
- `--dry-run` (asks nothing to change), `-A` and `-l` (more or other objects than the
  runbooks take) leave it to the model too;
- `--context`, `--cluster`, `--kubeconfig`, `--as`, `--token` name another cluster or
  identity: out of scope, since the bot acts on its own cluster as the person asking;
- a command no runbook does (`delete svc`, `exec`, `apply`, `edit`, `label`, `taint`, ...)
  is out of scope: the catalogue cannot do it, and no runbook stands in for it. A change
  of another kind (`rollout restart sts/x`, `scale sts`) is left to the model, and the
  conversation says which kind it cannot change.

Returns the runbook and its slots as spans of the text as given, or None to leave the
message to the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chatops.model import OUT_OF_SCOPE, SlotSpan

_KUBECTL = re.compile(r"(?<![\w/.-])kubectl(?=\s)")
_TOKEN = re.compile(r"(?:'[^']*'|\"[^\"]*\"|[^\s'\"])+")
_MENTION = re.compile(r"<[@#!][^>]*>|@[\w.-]+|:[a-z0-9_+-]+:")
_PREFIX_WORDS = frozenset({
    "pls", "plz", "please", "can", "could", "would", "will", "you", "u", "someone", "run",
    "do", "just", "go", "ahead", "and", "quick", "hey", "hi", "bot", "chatops", "for", "me",
    "us", "need", "to", "i", "we", "ok", "okay", "so", "the", "command", "this", "exec",
    "execute", "equivalent", "of", "like", "basically", "want", "wanna", "kindly", "try",
    "yo", "hello", "morning", "urgent", "asap", "fire", "now",
})
_SUFFIX_WORDS = frozenset({
    "pls", "plz", "please", "thanks", "thx", "ty", "for", "me", "us", "now", "asap", "thank",
    "you", "cheers", "kthx", "quick", "quickly", "urgently", "right", "away", "?", "!", ".",
})
_CHAINS = frozenset({";", "&&", "||", "|", ">", ">>", "<", "&"})
_ANOTHER_CLUSTER = frozenset({"--context", "--cluster", "--kubeconfig", "--server", "-s",
                              "--as", "--as-group", "--token", "--user"})
"""Flags that name another cluster or identity: the bot acts on its own cluster, as the
person who asks, so such a command is none it can run (a probe: "kubectl --context other
rollout restart ..." was planned on the bot's cluster)."""
_OTHER_TARGETS = frozenset({"--all-namespaces", "-A", "-l", "--selector", "--dry-run",
                            "--field-selector"})
_VALUED = frozenset({
    "-n", "--namespace", "-c", "--container", "--tail", "--since", "-o", "--output",
    "--replicas", "--to-revision", "--patch", "--type", "--grace-period",
    "--timeout", "--limits", "--requests", "--sort-by", "-v", "--v",
    "--context", "--cluster", "--kubeconfig", "--server", "-s", "-l", "--selector",
    "--field-selector", "--as", "--as-group", "--token", "--user",
})
_KNOWN = _VALUED | {"-f", "--follow", "-p", "--previous", "--timestamps", "-w", "--watch",
                    "--ignore-daemonsets", "--delete-emptydir-data", "--delete-local-data",
                    "--force", "--record", "--overwrite", "-i", "--interactive", "-t", "--tty"}
"""The flags this reader knows; any other leaves the command to the model ("--containers",
an attacker review: silently dropped, the plan named no container)."""
_COUNT = re.compile(r"\d{1,6}")
"""A count (`--replicas`, `--to-revision`, `--tail`): kubectl takes no sign ("--replicas=-3"
was read as three fewer: an attacker review)."""
_UNSUPPORTED_VERBS = frozenset({
    "create", "apply", "run", "expose", "edit", "exec", "port-forward", "cp", "label",
    "annotate", "taint", "autoscale", "replace", "attach", "debug", "proxy", "certificate",
    "config", "auth", "explain", "version", "cluster-info", "api-resources", "api-versions",
    "kustomize", "plugin", "wait", "diff", "completion",
})
_DEPLOY = frozenset({"deploy", "deployment", "deployments", "deploy.apps", "deployment.apps",
                     "deployments.apps"})
_POD = frozenset({"po", "pod", "pods"})
_NODE = frozenset({"no", "node", "nodes"})
_CRONJOB = frozenset({"cj", "cronjob", "cronjobs", "cronjob.batch", "cronjobs.batch"})
_EVENTS = frozenset({"ev", "event", "events"})
OTHER_KINDS = frozenset({
    "sts", "statefulset", "statefulsets", "ds", "daemonset", "daemonsets", "rs", "replicaset",
    "replicasets", "job", "jobs", "svc", "service", "services", "pvc", "persistentvolumeclaim",
    "pv", "ns", "namespace", "namespaces", "cm", "configmap", "configmaps", "secret", "secrets",
    "ing", "ingress", "hpa", "horizontalpodautoscaler", "sa", "serviceaccount", "netpol",
    "networkpolicy", "pdb", "poddisruptionbudget", "role", "rolebinding", "clusterrole",
    "clusterrolebinding", "crd", "endpoints", "ep", "rc", "statefulset.apps", "daemonset.apps",
})
"""Kinds no runbook deletes (nor, but pods, any kind at all): a deletion of one is out of
scope."""
_ROLLOUT = {"restart": "restart_deployment", "undo": "rollback_deployment",
            "history": "rollout_history", "status": "deployment_status"}


@dataclass(frozen=True)
class KubectlReading:
    """The runbook one kubectl command asks for (`oos`: one no runbook does), and its
    slots as spans of the message."""

    intent: str
    spans: tuple[SlotSpan, ...] = ()


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    def span(self, slot: str, offset: int = 0, length: int | None = None) -> SlotSpan:
        """This token (or `length` characters of it from `offset`) as a span of `slot`,
        without quotes around it."""
        start, end = self.start + offset, self.end if length is None else (
            self.start + offset + length)
        value = self.text[offset:None if length is None else offset + length]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            start, end, value = start + 1, end - 1, value[1:-1]
        return SlotSpan(slot, start, end, value)


def read_kubectl(text: str) -> KubectlReading | None:
    """What the one kubectl command `text` is (see the module); None when it is not one."""
    span = _the_command(text)
    if span is None:
        return None
    start, end, fenced = span
    if fenced and not _only_thanks(text[end:].strip("` \n")):
        return None
    tokens = [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]
    while tokens and _bare(tokens[-1].text) in _SUFFIX_WORDS | {""}:
        tokens.pop()
    if tokens and tokens[-1].text[-1] in "?!." and not tokens[-1].text.startswith(("'", '"')):
        # "kubectl drain node-1?": the question mark is the sentence's, not the name's
        last = tokens[-1]
        trimmed = last.text.rstrip("?!.")
        tokens[-1] = _Token(trimmed, last.start, last.start + len(trimmed))
    if not tokens or any(t.text in _CHAINS for t in tokens) or "\n" in text[start:end].strip():
        return None
    return _command(tokens)


def _the_command(text: str) -> tuple[int, int, bool] | None:
    """Where the one kubectl command of `text` has its arguments (after "kubectl", up to the
    closing backtick of a fenced command or the end), and whether it is fenced; None when
    `text` is not one command asked for (`_only_asking`)."""
    found = list(_KUBECTL.finditer(text))
    if len(found) != 1 or not _only_asking(text[:found[0].start()]):
        return None
    start = found[0].end()
    if not text[:found[0].start()].rstrip().endswith("`"):
        return start, len(text), False
    close = text.find("`", start)
    return (start, close, True) if close >= 0 else None


_FILTERS = frozenset({"grep", "egrep", "fgrep", "rg", "head", "tail", "less", "more", "wc",
                      "sort", "uniq", "jq", "yq", "awk", "cut", "column", "tee", "cat", "nl",
                      "tr"})
"""Commands that only filter or page what kubectl prints: a pipe into them asks nothing
more of the cluster."""


def without_filter(text: str) -> tuple[str, str] | None:
    """For a message that is one kubectl command piped into filters only ("kubectl get pods
    -n prod | grep checkout"): (the message up to the pipe, the pipe as written); None for
    any other message, or a pipe into anything else (`xargs`, `sh`, another kubectl)."""
    span = _the_command(text)
    if span is None:
        return None
    start, end, fenced = span
    fence = "`" if fenced else ""
    body = text[start:end]
    at = body.find("|")
    if at < 0 or "||" in body or re.search(r"[;&<>\n]|\$\(|`", body):
        return None
    stages = body[at + 1:].split("|")
    if not all(stage.split() and stage.split()[0] in _FILTERS for stage in stages):
        return None
    return text[:start + at].rstrip() + fence, body[at:].strip()


def _bare(word: str) -> str:
    return _MENTION.sub("", word).strip("`,.!?").lower()


def _only_asking(prefix: str) -> bool:
    """Whether the words before the command only ask for it ("pls run", a mention)."""
    words = [_bare(w) for w in _MENTION.sub(" ", prefix).replace("`", " ").split()]
    if re.search(r"[.?!]\s", prefix):
        return False
    return len(words) <= 8 and all(w in _PREFIX_WORDS or w in {"", ":", "-", "$"} for w in words)


def _only_thanks(suffix: str) -> bool:
    return all(_bare(w) in _SUFFIX_WORDS | {""} for w in _MENTION.sub(" ", suffix).split())


def _command(tokens: list[_Token]) -> KubectlReading | None:
    """The reading of kubectl's arguments `tokens`."""
    args: list[_Token] = []
    flags: dict[str, _Token | None] = {}
    unknown = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name, eq, _ = token.text.partition("=")
        if token.text.startswith("-") and len(token.text) > 1:
            if name in _ANOTHER_CLUSTER:
                return KubectlReading(OUT_OF_SCOPE)
            if name in _OTHER_TARGETS:
                return None
            if name not in _KNOWN and not re.fullmatch(r"-n[a-z0-9][a-z0-9-]*", token.text):
                unknown = True
            if eq:
                flags[name] = _Token(token.text, token.start, token.end)
            elif name in _VALUED or (name == "-p" and args[:1] and args[0].text == "patch"):
                if i + 1 >= len(tokens):
                    return None
                flags[name] = tokens[i + 1]
                i += 1
            elif re.fullmatch(r"-n[a-z0-9][a-z0-9-]*", token.text):
                # "-nshop", kept as "-n=shop" one character to its left, so that the value
                # keeps its place in the message (`_value` skips "-n=")
                flags["-n"] = _Token("-n=" + token.text[2:], token.start - 1, token.end)
            else:
                flags[name] = None
            i += 1
            continue
        args.append(token)
        i += 1
    if not args:
        return None
    verb = args[0].text.lower()
    if verb in _UNSUPPORTED_VERBS:
        return KubectlReading(OUT_OF_SCOPE)
    if unknown:
        return None
    namespace = _value(flags, "-n", "--namespace", slot="namespace")
    rest = args[1:]
    if verb == "rollout" and rest:
        return _rollout(rest[0].text.lower(), rest[1:], flags, namespace)
    if verb == "scale":
        return _scale(rest, flags, namespace)
    if verb == "set" and rest and rest[0].text.lower() in ("image", "resources"):
        return _set(rest[0].text.lower(), rest[1:], flags, namespace)
    if verb in ("cordon", "uncordon", "drain"):
        if len(rest) > 1 and not any(a.text.lower() in _NODE for a in rest[:1]):
            # Several nodes, or words after the node: out of scope. The model, given the
            # words, took the node they ruled out ("kubectl drain node-1 not node-2" drained
            # node-2) or missed a retraction ("... jk"): session 48's attacker review.
            return KubectlReading(OUT_OF_SCOPE)
        node = _target(rest, _NODE, bare=True)
        return None if node is None else KubectlReading(
            f"{verb}_node", (node.span("node"),) if node.text else ())
    if verb == "logs":
        return _logs(rest, flags, namespace)
    if verb in ("describe", "get"):
        return _read(verb, rest, namespace, flags.get("-o") or flags.get("--output"))
    if verb == "delete":
        return _delete(rest, namespace)
    if verb == "patch":
        return _patch(rest, flags, namespace)
    return None


def _value(flags: dict[str, _Token | None], *names: str, slot: str) -> SlotSpan | None:
    """The value of the first of `names` given, as a span of `slot`."""
    for name in names:
        token = flags.get(name)
        if token is not None:
            if token.text.startswith(name + "="):
                return token.span(slot, len(name) + 1)
            return token.span(slot)
    return None


def _counts(*spans: SlotSpan | None) -> bool:
    """Whether each count given is a plain number."""
    return all(span is None or _COUNT.fullmatch(span.text) for span in spans)


def _target(args: list[_Token], kinds: frozenset[str], *, bare: bool = False
            ) -> _Token | None:
    """The name of the one object `args` name, of one of `kinds` ("deploy/api", "deploy
    api", or a bare name where `bare`); an empty token when none is named; None when the
    object is of another kind or several are named."""
    if not args:
        return _Token("", 0, 0)
    first = args[0]
    kind, slash, name = first.text.partition("/")
    if slash:
        if kind.lower() not in kinds or not name or len(args) > 1:
            return None
        return _Token(name, first.start + len(kind) + 1, first.end)
    if first.text.lower() in kinds:
        if len(args) > 2:
            return _SEVERAL if all(_NAME.fullmatch(a.text) for a in args[1:]) else None
        return args[1] if len(args) == 2 else _Token("", 0, 0)
    return first if bare and len(args) == 1 else None


_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")
_SEVERAL = _Token("", -1, -1)
"""`_target`'s answer for several objects of its kind named ("deploy api billing"): kubectl
would act on each, a runbook on one; a change so named is out of scope (session 48's
second attacker review: the model, given the command, read the second as the first's
namespace)."""


def _other_kind(args: list[_Token]) -> KubectlReading | None:
    """Out of scope when `args` are one object of a kind no runbook deletes ("svc api",
    "pvc/data-0"); None (the model's) for anything else."""
    kind = args[0].text.partition("/")[0].lower() if args else ""
    one = len(args) == 1 if "/" in (args[0].text if args else "") else len(args) == 2
    return KubectlReading(OUT_OF_SCOPE) if kind in OTHER_KINDS | _DEPLOY | _NODE | _CRONJOB \
        and one else None


def _reading(intent: str, *spans: SlotSpan | None) -> KubectlReading:
    return KubectlReading(intent, tuple(sorted((s for s in spans if s is not None),
                                               key=lambda s: (s.start, s.slot))))


def _rollout(action: str, args: list[_Token], flags: dict[str, _Token | None],
             namespace: SlotSpan | None) -> KubectlReading | None:
    target = _target(args, _DEPLOY)
    if target is _SEVERAL:
        return KubectlReading(OUT_OF_SCOPE)
    if target is None:
        # Another kind ("rollout restart sts/kafka"), or more words: the model's, and the
        # conversation says which kind it cannot change.
        return None
    if action not in _ROLLOUT:
        return KubectlReading(OUT_OF_SCOPE)  # pause, resume: no runbook does it
    revision = _value(flags, "--to-revision", slot="revision") if action == "undo" else None
    if not _counts(revision):
        return None
    return _reading(_ROLLOUT[action], target.span("deployment") if target.text else None,
                    namespace, revision)


def _scale(args: list[_Token], flags: dict[str, _Token | None],
           namespace: SlotSpan | None) -> KubectlReading | None:
    target = _target(args, _DEPLOY)
    replicas = _value(flags, "--replicas", slot="replicas")
    if target is _SEVERAL:
        return KubectlReading(OUT_OF_SCOPE)
    if target is None or not _counts(replicas):
        return None
    return _reading("scale_deployment", target.span("deployment") if target.text else None,
                    namespace, replicas)


def _set(what: str, args: list[_Token], flags: dict[str, _Token | None],
         namespace: SlotSpan | None) -> KubectlReading | None:
    pairs = [a for a in args if "=" in a.text and "/" not in a.text.partition("=")[0]]
    target = _target([a for a in args if a not in pairs], _DEPLOY)
    if target is _SEVERAL:
        return KubectlReading(OUT_OF_SCOPE)
    if target is None:
        return None
    deployment = target.span("deployment") if target.text else None
    if what == "image":
        if len(pairs) != 1:
            return None  # several containers at once: the model's, and the guards'
        container, _, image = pairs[0].text.partition("=")
        if not container or not image:
            return None  # "=nginx:1.2": kubectl would refuse it
        return _reading("set_image", deployment, namespace,
                        pairs[0].span("container", 0, len(container)),
                        pairs[0].span("image", len(container) + 1))
    spans: list[SlotSpan | None] = [deployment, namespace,
                                    _value(flags, "-c", "--container", slot="container")]
    for field in ("requests", "limits"):
        token = flags.get("--" + field)
        if token is None:
            continue
        offset = len("--" + field) + 1 if token.text.startswith("--" + field + "=") else 0
        at = offset
        for pair in token.text[offset:].split(","):
            key, eq, value = pair.partition("=")
            if key not in ("cpu", "memory") or not eq or not value:
                # "hugepages-2Mi=...", "example.com/cpu=4": no runbook sets it, and the
                # model would read the number as the CPU's (an attacker review)
                return KubectlReading(OUT_OF_SCOPE)
            start = token.start + at + len(key) + 1
            spans.append(SlotSpan(f"{key}_{field[:-1]}", start, start + len(value), value))
            at += len(pair) + 1
    if len(spans) == 3:
        return None
    return _reading("set_resources", *spans)


def _logs(args: list[_Token], flags: dict[str, _Token | None],
          namespace: SlotSpan | None) -> KubectlReading | None:
    if len(args) != 1:
        return None
    kind, slash, name = args[0].text.partition("/")
    if slash and kind.lower() in _DEPLOY and name:
        target = SlotSpan("deployment", args[0].start + len(kind) + 1, args[0].end, name)
    elif slash and kind.lower() in _POD and name:
        target = SlotSpan("pod", args[0].start + len(kind) + 1, args[0].end, name)
    elif not slash:
        target = args[0].span("pod")
    else:
        return None  # a job's or a statefulset's logs: the model's
    lines = _value(flags, "--tail", slot="lines")
    if not _counts(lines):
        return None
    return _reading("pod_logs", target, namespace,
                    _value(flags, "-c", "--container", slot="container"), lines,
                    _value(flags, "--since", slot="since"))


def _read(verb: str, args: list[_Token], namespace: SlotSpan | None,
          output: _Token | None = None) -> KubectlReading | None:
    if not args:
        return None
    if (verb == "get" and output is not None and "image" in output.text.lower()
            and args[0].text.lower() in _POD | _DEPLOY and len(args) == 1):
        # "-o jsonpath='{..image}'", "-o custom-columns=...:.spec.containers[*].image"
        return _reading("list_images", namespace)
    kind = args[0].text.partition("/")[0].lower()
    for kinds, intent in ((_POD, "describe_pod" if verb == "describe" else "show_pods"),
                          (_NODE, "node_status"), (_DEPLOY, "deployment_status"),
                          (_EVENTS, "recent_events")):
        if kind not in kinds:
            continue
        target = _target(args, kinds)
        if target is None:
            return None
        name = target.text
        if intent in ("show_pods", "recent_events"):  # of a namespace: none of one object
            return None if name else _reading(intent, namespace)
        if intent == "node_status":
            return _reading(intent, target.span("node") if name else None)
        if not name:
            return None
        slot = "pod" if intent == "describe_pod" else "deployment"
        return _reading(intent, target.span(slot), namespace)
    return None


def _delete(args: list[_Token], namespace: SlotSpan | None) -> KubectlReading | None:
    if not args:
        return None
    if args[0].text.partition("/")[0].lower() not in _POD:
        return _other_kind(args)  # svc, pvc, deploy, ns...: no runbook deletes it
    target = _target(args, _POD)
    if target is _SEVERAL:
        return KubectlReading(OUT_OF_SCOPE)
    if target is None or not target.text:
        return None
    return _reading("delete_pod", target.span("pod"), namespace)


_HPA = frozenset({"hpa", "horizontalpodautoscaler", "horizontalpodautoscalers",
                  "hpa.autoscaling"})
_BOUND = re.compile(r'"(minReplicas|maxReplicas)"\s*:\s*(\d+)(?![\d.eE])')


def _patch(args: list[_Token], flags: dict[str, _Token | None],
           namespace: SlotSpan | None) -> KubectlReading | None:
    patch = flags.get("-p") or flags.get("--patch")
    if patch is None:
        return None
    hpa = _target(args, _HPA)
    if hpa is not None and hpa.text:
        # "kubectl patch hpa api -p '{"spec":{"maxReplicas":20}}'": the autoscaler of the
        # deployment of its name (the runbook finds the one that targets it).
        spec = _patched(patch)
        if spec is None or set(spec) != {"spec"} or not spec["spec"] or not set(
                spec["spec"]) <= {"minReplicas", "maxReplicas"}:
            return None  # a patch of more than the bounds is the model's
        wanted = spec["spec"]
        if (any(type(v) is not int or v < 0 for v in wanted.values())
                or wanted.get("minReplicas", 0) > wanted.get("maxReplicas", 10**9)):
            return None  # "2e1", "20.9", min above max: kubectl would refuse it
        bounds = [SlotSpan("min_replicas" if m.group(1) == "minReplicas" else "max_replicas",
                           patch.start + m.start(2), patch.start + m.end(2), m.group(2))
                  for m in _BOUND.finditer(patch.text)]
        if {s.text for s in bounds} != {str(v) for v in wanted.values()} or len(bounds) != len(
                wanted):
            return None
        return _reading("set_autoscaling", hpa.span("deployment"), namespace, *bounds)
    target = _target(args, _CRONJOB)
    spec = _patched(patch)
    if target is _SEVERAL or hpa is _SEVERAL:
        return KubectlReading(OUT_OF_SCOPE)
    if target is None or not target.text or spec is None:
        return None
    suspend = spec.get("spec", {}).get("suspend")
    if not isinstance(suspend, bool) or set(spec) != {"spec"} or set(spec["spec"]) != {
            "suspend"}:
        return None  # a patch of more than the suspension is the model's
    return _reading("suspend_cronjob" if suspend else "resume_cronjob",
                    target.span("cronjob"), namespace)


def _patched(patch: _Token) -> dict[str, Any] | None:
    """The JSON a `-p` patch sets, or None when it is none."""
    body = patch.text
    for name in ("--patch=", "-p="):
        body = body.removeprefix(name)
    try:
        spec = json.loads(body.strip("'\""))
    except ValueError:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("spec"), dict):
        return None
    return spec
