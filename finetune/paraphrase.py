"""Paraphrase augmentation: the catalogue's phrasings rewritten the way people write in an
incident channel.

The catalogue has about twenty phrasings per runbook; a model trained on them alone learns
those phrasings, not the language. This module rewrites a filled template (a list of
`Piece`s, slot values kept intact) in four ways:

- **synonyms**: verbs and nouns swapped for ones with the same meaning in that runbook
  ("why is X crashing" -> "why is X not working"; "diagnose" -> "fix", "repair");
- **references**: how a name is written: quoted (`'app'`, "app", "the deployment called
  'app'"), kubectl style (`deploy/app`), DNS style (`app.prod`), "my app", "in the X
  namespace";
- **order**: the namespace moved to the front ("in prod, restart checkout");
- **wrappers**: a politeness or question lead ("could you", "would you mind"), and context
  sentences around the request ("we're seeing 500s since the deploy. can you ...", "thanks
  in advance"), up to messages of about a hundred words;
- **antecedents** (off unless `GenerationConfig.antecedent_prob` asks for them): the target,
  or only its namespace, named in a context sentence and referred back to in the request
  ("We paused nightly-export on Friday. ... resume the cronjob in billing").

The wrapper lists are split into a train and a held-out part by a stable hash (like the
name lexicons), so the dev set measures context sentences the model never saw.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")


@dataclass
class Piece:
    """A run of text; `slot` names the slot when the text is a slot value."""

    text: str
    slot: str | None = None


# Groups of interchangeable phrasings, by runbook ("*" = every runbook). A phrase is only
# swapped where it occurs as whole words; the first matching group wins.
_SYNONYMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "*": (
        ("show me", "give me", "let me see", "can i see", "i'd like to see", "pull up"),
        ("show", "list", "get", "display", "give me", "pull up", "print", "fetch"),
        ("please", "pls", "kindly"),
        ("what's", "what is"),
        ("namespace", "ns", "namespace"),
        ("node", "host", "machine", "worker node"),
        ("cronjob", "cron job", "cron", "scheduled job"),
    ),
    "diagnose": (
        ("diagnose", "troubleshoot", "debug", "investigate", "fix", "repair",
         "look into", "dig into", "sort out", "take a look at", "check on", "help me fix"),
        ("crashing", "failing", "broken", "down", "unhealthy", "erroring", "flapping",
         "not working", "acting up", "throwing errors", "in a bad state", "misbehaving",
         "stuck", "borked", "hosed", "wedged", "not healthy", "in crashloopbackoff",
         "stuck pending", "never becoming ready", "on fire", "degraded"),
        ("what's wrong with", "what's up with", "what is going on with",
         "what's broken with", "can you fix", "please repair", "what happened to",
         "is there a problem with", "any issues with", "what's the matter with"),
        ("keeps restarting", "keeps crashing", "is crashlooping", "keeps dying",
         "is in a crash loop", "won't stay up"),
        ("why", "any idea why", "do you know why", "can you tell me why"),
    ),
    "restart_deployment": (
        ("restart", "bounce", "recycle", "kick", "reboot", "do a rolling restart of",
         "rollout restart", "cycle the pods of", "give a fresh restart to", "roll the pods of",
         "kick over", "redeploy the pods of", "restart all pods of"),
    ),
    "scale_deployment": (("scale", "resize", "set the replica count of"),),
    "delete_pod": (("delete", "kill", "remove", "nuke", "evict", "get rid of"),),
    "suspend_cronjob": (("suspend", "pause", "stop", "halt", "disable", "turn off"),),
    "resume_cronjob": (("resume", "unpause", "unsuspend", "enable", "turn on", "re-enable",
                        "turn back on", "switch back on", "reactivate", "start up again"),),
    "pod_logs": (("logs", "log output", "log lines", "output"),
                 ("tail", "show", "stream", "follow")),
    "deployment_status": (("status", "state", "health", "rollout state", "readiness"),
                          ("is the rollout done", "did the rollout finish",
                           "has the rollout finished", "is the rollout complete"),),
    "show_pods": (("pods", "pod list", "running pods"),),
    "list_images": (("images", "container images", "image tags", "image versions"),),
    "rollback_deployment": (("roll back", "rollback", "revert", "undo the rollout of",
                             "go back to the previous version of", "undo the release of",
                             "undo the last deploy of", "roll back the release of",
                             "back out the release of", "revert the last rollout of"),),
    "set_image": (("set image of", "change the image of", "update the image of",
                   "point the image of"),),
    "cordon_node": (("cordon", "mark unschedulable", "stop scheduling on"),),
    "uncordon_node": (("uncordon", "mark schedulable", "allow scheduling on"),),
    "drain_node": (("drain", "evacuate", "empty"),),
    "recent_events": (("events", "warnings", "k8s events", "event log"),),
    "describe_pod": (("describe", "details of", "inspect", "tell me about"),),
    "pod_hygiene": (("which pods", "what pods", "any pods", "list the pods that", "show pods that"),
                    ("have no", "don't have", "lack", "are missing", "without")),
}


def _compile(groups: tuple[tuple[str, ...], ...]) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    out = []
    for group in groups:
        alternatives = "|".join(re.escape(p) for p in sorted(group, key=len, reverse=True))
        out.append((re.compile(rf"(?<![\w'-])({alternatives})(?![\w'/-])", re.IGNORECASE), group))
    return out


_COMPILED = {intent: _compile(groups) for intent, groups in _SYNONYMS.items()}

_LEADS = (
    "can you", "could you", "could you please", "would you mind", "please", "can you please",
    "i need you to", "is it possible to", "can someone", "would it be possible to",
    "when you get a sec,", "go ahead and", "i'd like you to", "any chance you could",
    "hey bot,", "hey, can you", "hi! could you", "quick ask: can you", "mind if you",
    "yo can you", "sorry to bug you, could you", "do me a favour and", "could somebody",
    "hello, would you", "team, can we", "ok, please", "we need to", "i want to",
    "hey folks, could someone", "if you have a minute, could you", "help me",
    "hi there, can you", "morning! can you", "urgent - please", "asap:",
)
# Leads for phrasings that are already questions ("why is X crashing").
_QUESTION_LEADS = (
    "quick question:", "hey,", "do you know", "any idea", "can you tell me", "i'm wondering",
    "could you check", "sorry, but", "hi bot,", "question -", "can you find out",
    "help me understand", "does anyone know", "hey there,", "could you look up",
)
_QUESTION_WORDS = frozenset((
    "what", "what's", "why", "how", "which", "is", "are", "any", "who", "where", "when",
    "did", "does", "do", "has", "have", "was", "were", "whats",
))
_CONTEXT_BEFORE = (
    "we're seeing 500s since the last deploy.", "the pager just went off.",
    "customers are reporting timeouts at checkout.", "i'm on call and it's been a rough night.",
    "hey team, hope everyone is well.", "quick context: we shipped a release an hour ago.",
    "alerts are firing in #incidents.", "latency is through the roof right now.",
    "error rate jumped to 12% a few minutes ago.", "grafana is all red.",
    "something has been off since the 14:05 release.", "sorry to bother you on a sunday.",
    "we have an incident going on.", "following up on the thread above.",
    "support escalated a ticket about this.", "it was fine yesterday.",
    "not sure who owns this.", "pagerduty paged me twice already.",
    "the dashboards show a spike in 5xx.", "memory usage keeps climbing.",
    "looks like the cluster is under pressure.", "users can't log in.",
    "half the requests are timing out.", "good morning!", "hi all.", "hey!",
    "this is blocking the release.", "qa says the staging build is flaky.",
    "the load test last night went badly.", "we got a slack alert from prometheus.",
    "i just joined the incident call.", "the status page is already updated.",
    "i think the last merge broke something.", "the on-call handoff notes mention this.",
    "sorry if this is the wrong channel.", "first time using the bot, bear with me.",
    "our p99 went from 200ms to 3s.", "a customer opened a sev2.",
    "the deploy pipeline finished ten minutes ago.", "disk usage alerts are going off too.",
    "my manager asked me to look at this.", "i'm new to the team.",
    "we rolled out a config change this morning.", "traffic doubled after the campaign.",
    "the canary looked fine but prod doesn't.", "it's friday evening of course.",
    "nobody touched anything as far as i know.", "the error budget is almost gone.",
    "logs in kibana are full of connection resets.", "we're mid-incident.",
    "there was a spike of oom alerts overnight.", "the health checks have been flapping.",
    "product is asking for an update.", "heads up, this is urgent.",
    "i've been debugging this for an hour.", "the nightly batch failed again.",
)
_CONTEXT_AFTER = (
    "thanks!", "thanks in advance.", "let me know what you find.", "ping me when it's done.",
    "i'll keep an eye on the dashboards.", "appreciate it.", "no rush, but soon would be great.",
    "i'm heading into a meeting.", "cc the sre team.", "ty!", "much appreciated.",
    "then i'll update the incident doc.", "i'll be on the bridge call.",
    "we can look at the root cause later.", "thanks a lot, you're a lifesaver.",
    "i'll tell support once we know more.", "please hurry.", "cheers.",
    "i'm watching the error rate.", "let's see if that helps.", "thx.",
    "we'll write the postmortem tomorrow.", "just want to be sure before the demo.",
)
_FILLER = (
    "we checked the usual suspects already and the database looks fine.",
    "the last release touched the connection pool settings, so that could be related.",
    "nobody on the team has seen this particular behaviour before.",
    "i looked at the dashboards and cpu is fine, memory is slightly up.",
    "the incident commander asked me to gather more information first.",
    "we are also talking to the cloud provider in case it is on their side.",
    "there is a big customer demo in two hours so we need this sorted.",
    "we tried reproducing it locally without any luck.",
    "i already posted in the platform channel but got no answer yet.",
    "the previous on-call mentioned something similar last month.",
    "our runbook wiki is outdated so i'm asking here.",
    "marketing launched a campaign this morning so traffic is higher than usual.",
    "the alerts started right after lunch and have not stopped since.",
    "we paused all other deploys until this is understood.",
)

# Context sentences with distractors: names, teams, products, times, numbers and versions
# that are *not* slots of the request ("the Payments team says ledger-api is fine", "it
# runs four replicas", "the 5.0.3 release went out at 06:10"). Placeholders are filled at
# random, so the model learns that only the request's own names are slots.
_DISTRACTORS = (
    "the {Team} team says {service} looks fine.", "{service} is fine, it's just this one.",
    "{Person} from {Team} pinged me at {time}.", "it normally runs {numword} replicas.",
    "we're getting about {numword} times the usual volume.",
    "the {version} release went out at {time}.", "{Product} shows a spike since {time}.",
    "{service} and {service2} were slow earlier too but recovered.",
    "{Person} already restarted {service} this morning.",
    "we upgraded {service} to {version} yesterday.", "{num} customers opened tickets.",
    "the {Team} folks are on the bridge.", "{Product} fired an alert at {time} for {service}.",
    "traffic is up {num}% since {time}.", "we have {numword} nodes right now.",
    "the {Team} squad owns {service}, not us.", "ticket {TICKET}-{num} has the details.",
    "last week {service} had the same issue.",
    "after the {Product} {version} upgrade things got weird.",
    "{Person} scaled it to {num} replicas at {time}.", "{TICKET}-{num} is still open.",
    "the {service} dashboard in {Product} is red.", "{Person} is out today, so I'm covering.",
    "everything looked healthy at {time}.", "p99 went from {num}ms to {num2}ms around {time}.",
    "{Team} deployed {service} {version} about {numword} hours ago.",
    "we saw {num} errors in {Product} in the last {numword} minutes.",
    "{service2} depends on it, so {Team} is waiting on us.",
    "{Person} said {service} is unaffected.",
    "the {Team} on-call ({Person}) is looking at {service2}.",
    "memory sits at {num}% on {numword} of the pods.", "this started around {time} UTC.",
    "{Product} {version} was rolled out by {Team} on Tuesday.",
    "the {service} migration is scheduled for {time}.",
    "Q3 planning is tomorrow so {Person} wants this fixed.",
    "{numword} of our {num} replicas look stuck.",
    # Environments and components named in passing: "it has run in staging since 09:00",
    # "our {noun} worker", "the invoices look wrong": words a request's slots never take.
    "it has been running in {env} since {time} without errors.",
    "the same build is fine in {env}.", "we saw the same thing in {env} last week.",
    "nothing changed in {env} as far as I know.", "{Person} wants it in {env} before {time}.",
    "the {noun} team noticed it first.", "our {noun} {kind} depends on it.",
    "the {noun} numbers look wrong since {time}.", "{Team} says the {noun} pipeline is slow.",
    "this is not about the {noun} {kind}, that one is fine.",
    "the release notes for {version} mention the {noun} changes.",
    "I don't want to touch {env} until {Person} signs off.",
)
_ENVS = ("staging", "production", "prod", "dev", "qa", "the old cluster", "the canary",
         "pre-prod", "our test cluster", "the sandbox")
_NOUNS = ("notification", "invoice", "analytics", "search", "checkout", "billing", "export",
          "reporting", "thumbnail", "upload", "payment", "queue", "cache", "email", "login")
_KINDS = ("worker", "service", "api", "consumer", "job", "pipeline", "dashboard")
_TEAMS = ("Payments", "Platform", "SRE", "Data", "Growth", "Checkout", "Identity", "Search",
          "Mobile", "Core", "Infra", "Billing", "Risk", "Ads", "Security", "Web", "ML",
          "Fulfilment", "Ledger", "Support")
_PEOPLE = ("Alice", "Bob", "Priya", "Marco", "Chen", "Fatima", "Tom", "Sara", "Jonas", "Aiko",
           "Diego", "Lena", "Omar", "Kate", "Ravi", "Nina", "Sam", "Yuki", "Ola", "Ben")
_PRODUCTS = ("Datadog", "Grafana", "Sentry", "PagerDuty", "Kibana", "New Relic", "Honeycomb",
             "Prometheus", "Jenkins", "ArgoCD", "Opsgenie", "CloudWatch", "Splunk", "Jira",
             "Postgres", "Kafka", "Redis", "Stripe", "Okta", "Cloudflare")
_TICKETS = ("INC", "OPS", "SRE", "JIRA", "PLAT", "SEC")
_NUMWORDS = ("two", "three", "four", "five", "six", "eight", "ten", "twelve", "twenty",
             "a dozen", "a couple of")
_STEMS = ("ledger", "auth", "search", "billing", "orders", "inventory", "catalog", "gateway",
          "pricing", "profile", "mailer", "recommender", "shipping", "session", "webhooks",
          "fraud", "tax", "media", "geo", "chat")
_SUFFIXES = ("", "-api", "-service", "-worker", "-svc", "-web", "-db", "-proxy")

# How a namespace is written where a template says "in X": "(X)", "-n X", "X ns", ...
# Each form is (before, after); "," only at the end of a request.
_NAMESPACE_FORMS = (
    ("(", ")"), ("ns ", ""), ("-n ", ""), ("--namespace ", ""), ("--namespace=", ""),
    ("namespace=", ""), ("in ns ", ""), ("in namespace ", ""), ("", " ns"), ("@ ", ""),
    ("@", ""), ("on ", ""), ("in the ", " ns"), ("[", "]"), ("ns=", ""), ("ns: ", ""),
    ("namespace: ", ""), ("over in ", ""), ("inside ", ""),
)
_NAMESPACE_TRAILING = (", ", " - ", " / ", ", ns ", " | ", " in ", ", in ")

# set_autoscaling: how people say min and max ("a floor of 3", "room to grow to 20").
_MIN_WORDS = ("at least ", "a floor of ", "minimum ", "min ", "never below ", "no fewer than ",
              "floor ", "a minimum of ", "min=", "keep at least ", "floor at ", "min of ")
_MAX_WORDS = ("at most ", "up to ", "a ceiling of ", "a cap of ", "max ", "room to grow to ",
              "no more than ", "ceiling ", "cap at ", "maximum ", "max=", "a max of ",
              "never above ", "limit it to ")
_MIN_BEFORE = re.compile(r"(?:\b(?:min|minimum)(?: replicas| pods)?(?: of| to| at|=|:)? ?)$",
                         re.IGNORECASE)
_MAX_BEFORE = re.compile(r"(?:\b(?:max|maximum)(?: replicas| pods)?(?: of| to| at|=|:)? ?)$",
                         re.IGNORECASE)
# Durations after "last"/"past": "the last hour", "over the past day".
_SINCE_BEFORE = re.compile(
    r"\b(?:(?:(?:for|over|in|from|within) )?(?:the )?(?:last|past)|since) $", re.IGNORECASE
)
_SINCE_LEADS = ("in the last ", "over the past ", "for the last ", "from the last ", "past ",
                "last ", "the last ", "within the last ", "over the last ", "since ")

# Telegraphic requests: "<deployment> logs, <namespace>, last 30 minutes".
_TELEGRAPHIC = {
    "pod_logs": ("logs", "log", "logs pls", "logs please"),
    "deployment_status": ("status", "rollout status", "status?", "health"),
    "show_pods": ("pods", "pods?", "pod list"),
    "rollout_history": ("rollout history", "history", "revisions"),
    "recent_events": ("events", "warnings", "k8s events"),
    "restart_deployment": ("restart", "restart pls", "needs a restart", "bounce"),
    "rollback_deployment": ("rollback", "roll back", "revert", "rollback pls"),
    "diagnose": ("what's wrong", "broken?", "crashlooping, why?", "debug"),
    "rightsize": ("rightsizing", "resource advice", "right-size?"),
    "list_images": ("images", "image versions"),
}
_TRAIN_SHARE_SALT = "wrappers"

# Antecedents: the target is named in a context sentence and the request refers back to it
# ("We paused nightly-export on Friday. Please resume the cronjob in billing"). People
# write long incident messages this way; a model that only saw the target inside the
# request drops the slot. {x} is the value; the other fields are the distractor fields.
_ANTECEDENTS = {
    "deployment": (
        "{x} has been throwing errors since {time}.", "{x} fell over under load last night.",
        "we deployed {x} about {numword} hours ago.", "most of the alerts come from {x}.",
        "{Person} thinks {x} is the culprit.", "I'm looking at {x} right now.",
        "this is about {x}.", "{x} is the one the {Team} team complained about.",
        "it's {x} again.", "the service in question is {x}.",
        "{x} has been slow since {time}.", "the {Team} team says {x} is misbehaving.",
        "{x} started paging at {time}.", "the alert is for {x}.",
        "we rely on {x} for the {noun} flow.", "{x} went out with the {version} release.",
        "our {noun} traffic goes through {x}.", "{Product} shows {x} in red since {time}.",
    ),
    "pod": (
        "one replica, {x}, is wedged.", "{x} stopped processing at {time}.",
        "the bad pod is {x}.", "{x} answers health checks but serves stale data.",
        "{Person} spotted {x} stuck since {time}.",
        "only {x} is misbehaving, the other replicas are fine.",
        "{x} has been eating memory since {time}.", "the pod that hangs is {x}.",
    ),
    "cronjob": (
        "we paused {x} on Friday.", "{x} failed again at {time}.",
        "{x} is the nightly {noun} job.", "{Person} asked about {x} this morning.",
        "{x} has been suspended since the migration.", "{x} runs every night at {time}.",
        "the {Team} team owns {x}.",
    ),
    "node": (
        "{x} has a failing disk.", "the cloud provider will retire {x} tonight.",
        "{x} keeps reporting memory pressure.",
        "{Person} says {x} is flapping between ready and not ready.",
        "{x} needs a kernel patch.", "{Product} flagged {x} at {time}.",
    ),
    "image": (
        "the patched build is {x}.", "CI published {x} about an hour ago.",
        "QA signed off on {x}.", "the fix is in {x}, already pushed to the registry.",
        "{Person} built {x} at {time}.", "the release candidate is {x}.",
    ),
}
# How the request then names the target.
_ANAPHORS = {
    "deployment": ("it", "it", "that deployment", "the deployment", "that service",
                   "that one", "the app", "this deployment"),
    "pod": ("that pod", "the pod", "it", "that one", "this pod", "the bad pod"),
    "cronjob": ("that cronjob", "the cronjob", "it", "that job", "the cron job"),
    "node": ("that node", "the node", "it", "that machine", "this node"),
    "image": ("that image", "the new image", "that build", "the patched image", "that tag",
              "this image"),
}
# Where the namespace goes when it moves out of the request too.
_NAMESPACE_SENTENCES = ("it runs in {ns}.", "it lives in the {ns} namespace.",
                        "that's in {ns}.", "the namespace is {ns}.", "it's in {ns}.",
                        "everything is in the {ns} namespace.", "we run it in {ns}.",
                        "{ns} is where it lives.", "it's deployed to {ns}.")
# The namespace alone named before the request, the target staying in it: "This is all in
# the billing namespace. Please restart ledger-api".
_NAMESPACE_CONTEXT = (
    "this is all in the {ns} namespace.", "we're in {ns}.", "everything here is in {ns}.",
    "context: namespace {ns}.", "all of this is in {ns}.", "it's all in {ns} by the way.",
    "things in {ns} look bad since {time}.", "everything in {ns} is slow since {time}.",
    "the {Team} team runs {ns}.", "{ns} has been noisy since {time}.",
    "I'm working in {ns} today.", "the alerts are all from {ns}.",
    "{Product} shows errors in {ns} since {time}.", "this is about the {ns} namespace.",
)
_NOT_AFTER = ("/", "'", '"', "\u201c", ".", "=", "@", "(", "[")
_NOT_BEFORE = (".", "/", "'", '"', "\u201d", ":", ")", "]", "'s")
# Words before the value that the anaphor replaces ("restart the deployment X" -> "restart
# it"), at most two of them.
_REFERRING_WORDS = frozenset((
    "deployment", "deploy", "pod", "cronjob", "node", "image", "the", "my", "our", "cron",
    "job", "app", "service", "worker", "host", "machine",
))
# Words after the value that say what it is ("the X deployment"): such a request is left as
# it is rather than made into "the it deployment".
_KIND_NOUNS = frozenset((
    "deployment", "deploy", "service", "svc", "app", "pods", "pod", "workers", "worker",
    "job", "cron", "cronjob", "node", "namespace", "ns", "image", "deployment's",
))
_NAMESPACE_BEFORE = re.compile(r"\s*\b(?:in|from|on)(?: the)? $", re.IGNORECASE)


def _held_out(value: object, seed: int) -> bool:
    digest = hashlib.sha256(f"{_TRAIN_SHARE_SALT}:{seed}:{value}".encode()).digest()
    return digest[0] < 52  # about a fifth, as for the name lexicons


def _split(values: Sequence[_T], seed: int, dev: bool) -> tuple[_T, ...]:
    chosen = tuple(v for v in values if _held_out(v, seed) == dev)
    return chosen or tuple(values)


_NAME_PREFIXES = {
    "deployment": ("the deployment called '{}'", "the deployment named {}", "deployment {}",
                   "the {} deployment", "the {} service", "the {} app", "my {} app",
                   "our {} service", "deploy/{}", "deployment/{}", "'{}'", '"{}"',
                   "\u201c{}\u201d", "the '{}' deployment", "the app called {}",
                   "the {} workers", "the {} pods", "the {} svc", "the \"{}\" deployment",
                   "the service {}", "the app {}"),
    "pod": ("pod {}", "the pod {}", "pod/{}", "'{}'", "the pod named '{}'"),
    "node": ("node {}", "the node {}", "node/{}", "'{}'", "the worker {}"),
    "cronjob": ("the cronjob {}", "cronjob/{}", "the '{}' cron job", "'{}'", "the {} job"),
    "namespace": ("the {} namespace", "namespace {}", "the '{}' namespace", "ns {}",
                  "'{}'", "the namespace called {}"),
}
# Words around a value that already say what it is: the value is then left as it is.
_KIND_WORDS = frozenset((
    "the", "my", "our", "a", "deployment", "deploy", "app", "service", "pod", "pods",
    "node", "namespace", "ns", "cronjob", "job", "container", "image", "logs", "-n",
    "replicas", "cron", "of", "its", "this", "that", "any", "all", "to",
))


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1].lower() if words else ""


def _first_word(text: str) -> str:
    words = text.split()
    return words[0].lower() if words else ""


def _around(template: str, key: str, value: str, slot: str,
            fields: dict[str, str]) -> list[Piece]:
    """`template` with its `{key}` as the tagged value and its other fields filled:
    [text before, value, text after] (either text may be empty)."""
    head, _, tail = template.partition("{" + key + "}")
    return [Piece(head.format(**fields)), Piece(value, slot), Piece(tail.format(**fields))]


def _chooser(rng: random.Random, group: tuple[str, ...]) -> Callable[[re.Match[str]], str]:
    return lambda _match: rng.choice(group)


class Paraphraser:
    """Rewrites filled templates; draws wrappers from the train or the held-out part."""

    def __init__(self, rng: random.Random, *, dev: bool = False, seed: int = 0) -> None:
        self._rng = rng
        self._leads = _split(_LEADS, seed, dev)
        self._question_leads = _split(_QUESTION_LEADS, seed, dev)
        self._before = _split(_CONTEXT_BEFORE, seed, dev)
        self._after = _split(_CONTEXT_AFTER, seed, dev)
        self._filler = _split(_FILLER, seed, dev)
        self._distractors = _split(_DISTRACTORS, seed, dev)
        self._teams = _split(_TEAMS, seed, dev)
        self._people = _split(_PEOPLE, seed, dev)
        self._products = _split(_PRODUCTS, seed, dev)
        self._stems = _split(_STEMS, seed, dev)
        self._ns_forms = _split(_NAMESPACE_FORMS, seed, dev) if dev else _NAMESPACE_FORMS
        self._antecedents = {k: _split(v, seed, dev) for k, v in _ANTECEDENTS.items()}
        self._ns_sentences = _split(_NAMESPACE_SENTENCES, seed, dev)
        self._ns_context = _split(_NAMESPACE_CONTEXT, seed, dev)

    def _fields(self) -> dict[str, str]:
        r = self._rng

        def service() -> str:
            return r.choice(self._stems) + r.choice(_SUFFIXES)

        return {
            "Team": r.choice(self._teams), "Person": r.choice(self._people),
            "Product": r.choice(self._products), "service": service(), "service2": service(),
            "time": f"{r.randint(0, 23):02d}:{r.choice((0, 5, 10, 15, 20, 30, 40, 45, 55)):02d}",
            "num": str(r.choice((2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40, 50, 80, 120, 300))),
            "num2": str(r.choice((900, 1200, 2500, 3000, 4000))),
            "numword": r.choice(_NUMWORDS),
            "version": r.choice(("", "v")) + f"{r.randint(1, 9)}.{r.randint(0, 20)}."
                       f"{r.randint(0, 12)}",
            "TICKET": r.choice(_TICKETS),
            "env": r.choice(_ENVS), "noun": r.choice(_NOUNS), "kind": r.choice(_KINDS),
        }

    def _capitalise(self, sentence: str) -> str:
        return sentence[:1].upper() + sentence[1:] if self._rng.random() < 0.5 else sentence

    def distractor(self) -> str:
        """A context sentence naming things that are not slots (teams, services, times)."""
        fields = self._fields()  # drawn first, as before antecedents shared them
        return self._capitalise(self._rng.choice(self._distractors).format(**fields))

    def antecedent(self, pieces: list[Piece]) -> tuple[list[Piece], list[Piece]] | None:
        """Name the target in a context sentence and refer back to it in the request:
        "cartsvc fell over last night. please restart it in shop". Returns the context
        pieces (values tagged) and the rewritten request, or None when the request has no
        single target written plainly (a kubectl-style or quoted name is left alone)."""
        r = self._rng
        counts = {k: sum(p.slot == k for p in pieces) for k in _ANAPHORS}
        kinds = [k for k, n in counts.items() if n == 1]
        # A topicalized request ("checkout, restart it") already refers back.
        if not kinds or any(p.slot is None and p.text.strip() == "it" for p in pieces):
            return None
        kind = r.choice(kinds)
        out = [Piece(p.text, p.slot) for p in pieces]
        index = next(i for i, p in enumerate(out) if p.slot == kind)
        before = out[index - 1].text if index else ""
        after = out[index + 1].text if index + 1 < len(out) else ""
        if (index and out[index - 1].slot) or before.endswith(_NOT_AFTER) \
                or after.startswith(_NOT_BEFORE) or _first_word(after) in _KIND_NOUNS:
            return None
        words = before.split(" ")
        stripped = 0
        while stripped < 2 and len(words) > 1 and words[-2].lower() in _REFERRING_WORDS \
                and words[-1] == "":
            words = [*words[:-2], ""]
            stripped += 1
        if index:
            out[index - 1].text = " ".join(words)
        value = out[index].text
        out[index] = Piece(r.choice(_ANAPHORS[kind]))
        fields = self._fields()
        sentence = r.choice(self._antecedents[kind])
        moved = self._move_namespace(out) if kind != "image" and r.random() < 0.4 else None
        context = _around(sentence, "x", value, kind, fields)
        if moved is not None and not context[0].text and r.random() < 0.5:
            # "cartsvc in shop fell over last night."
            context = [context[1], Piece(" in "), Piece(moved, "namespace"), context[2]]
        elif moved is not None:
            ns_sentence = _around(r.choice(self._ns_sentences), "ns", moved, "namespace", {})
            ns_sentence[0].text = " " + self._capitalise(ns_sentence[0].text)
            context += ns_sentence
        if context[0].slot is None:  # a value is never recased
            context[0].text = self._capitalise(context[0].text)
        return [p for p in context if p.text], [p for p in out if p.text]

    def namespace_antecedent(self, pieces: list[Piece]) -> tuple[list[Piece], list[Piece]] | None:
        """Name only the namespace before the request: "everything in billing is slow
        since 10:05. restart ledger-api". Returns (context, request) like `antecedent`."""
        out = [Piece(p.text, p.slot) for p in pieces]
        moved = self._move_namespace(out)
        if moved is None:
            return None
        template = self._rng.choice(self._ns_context)
        context = _around(template, "ns", moved, "namespace", self._fields())
        if context[0].text:
            context[0].text = self._capitalise(context[0].text)
        return [p for p in context if p.text], [p for p in out if p.text]

    @staticmethod
    def _move_namespace(out: list[Piece]) -> str | None:
        """Take "in <namespace>" out of the request (in place); return the namespace."""
        index = next((i for i, p in enumerate(out) if p.slot == "namespace"), None)
        if index is None or index == 0 or out[index - 1].slot is not None:
            return None
        match = _NAMESPACE_BEFORE.search(out[index - 1].text)
        if not match:
            return None
        after = out[index + 1].text if index + 1 < len(out) else ""
        if after.startswith(" namespace"):
            out[index + 1].text = after[len(" namespace"):]
        elif after.startswith((".", "/")) or out[index - 1].text.endswith("the "):
            return None
        value = out[index].text
        out[index - 1].text = out[index - 1].text[: match.start()]
        out[index].text = ""
        return value

    def synonyms(self, pieces: list[Piece], intent: str) -> None:
        """Swap phrases for others of the same group (runbook-specific groups first)."""
        patterns = [*_COMPILED.get(intent, []), *_COMPILED["*"]]
        r = self._rng
        for piece in pieces:
            if piece.slot is not None or not piece.text.strip():
                continue
            for pattern, group in patterns:
                if r.random() < 0.6:
                    piece.text = pattern.sub(_chooser(r, group), piece.text)

    def references(self, pieces: list[Piece]) -> list[Piece]:
        """Write some names the way people refer to them in chat (quoted, kind/name...)."""
        r = self._rng
        out: list[Piece] = []
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            # "checkout in prod" -> "checkout.prod" (a Service DNS name's first two labels)
            if (piece.slot == "deployment" and i + 2 < len(pieces)
                    and pieces[i + 1].slot is None and pieces[i + 1].text.strip() == "in"
                    and pieces[i + 2].slot == "namespace" and r.random() < 0.3):
                out += [Piece(piece.text, piece.slot), Piece("."),
                        Piece(pieces[i + 2].text, "namespace")]
                i += 3
                continue
            forms = _NAME_PREFIXES.get(piece.slot or "")
            before = out[-1].text if out else ""
            after = pieces[i + 1].text if i + 1 < len(pieces) else ""
            bare = (_last_word(before) not in _KIND_WORDS
                    and _first_word(after) not in _KIND_WORDS
                    and not before.endswith(("/", ".")) and not after.startswith((".", "/")))
            # A namespace is only reworded after "in"/"from"/"for" ("in the X namespace").
            placed = piece.slot != "namespace" or _last_word(before) in {"in", "from", "for"}
            if forms and bare and placed and r.random() < 0.35:
                head, _, tail = r.choice(forms).partition("{}")
                out += [Piece(head), Piece(piece.text, piece.slot), Piece(tail)]
                i += 1
                continue
            out.append(Piece(piece.text, piece.slot))
            i += 1
        return [p for p in out if p.text]

    def namespace_forms(self, pieces: list[Piece]) -> list[Piece]:
        """Write "in X" the other ways people do: `(X)`, `-n X`, `X ns`, `@ X`,
        `namespace=X`, or a trailing ", X" at the end of the request."""
        r = self._rng
        out = [Piece(p.text, p.slot) for p in pieces]
        for i, piece in enumerate(out):
            if piece.slot != "namespace" or i == 0 or out[i - 1].slot is not None:
                continue
            before = out[i - 1].text
            match = re.search(r"(?:^|\s)(in(?: the)?) $", before)
            if not match:
                continue
            after = out[i + 1].text if i + 1 < len(out) else ""
            if before.endswith("in the ") and not after.startswith(" namespace"):
                continue
            if after.startswith(" namespace"):
                after = after[len(" namespace"):]
            stem = before[: match.start(1)].rstrip()
            last = i == len(out) - 1 or not after.strip(" ?!.")
            if last and r.random() < 0.3:
                head, tail = r.choice(_NAMESPACE_TRAILING), ""
            else:
                head, tail = r.choice(self._ns_forms)
                head = " " + head
            out[i - 1].text = stem + head
            if i + 1 < len(out):
                out[i + 1].text = tail + after
            else:
                out.append(Piece(tail))
            break
        return [p for p in out if p.text]

    def topicalize(self, pieces: list[Piece], intent: str) -> list[Piece]:
        """Name the deployment first: "checkout, restart it in prod", or telegraphic:
        "checkout logs, prod, last 30 minutes"."""
        r = self._rng
        slots = [p.slot for p in pieces if p.slot]
        if slots.count("deployment") != 1:
            return pieces
        value = {p.slot: p.text for p in pieces if p.slot}
        nouns = _TELEGRAPHIC.get(intent)
        if nouns and set(slots) <= {"deployment", "namespace", "since", "lines"} \
                and r.random() < 0.5:
            out = [Piece(value["deployment"], "deployment"), Piece(" " + r.choice(nouns))]
            keys = [k for k in ("namespace", "since", "lines") if k in value]
            r.shuffle(keys)
            for key in keys:
                out.append(Piece(r.choice((", ", " ", " - ", ", "))))
                if key == "namespace":
                    head = r.choice(("", "", "ns ", "in ", "-n "))
                    out += [Piece(head), Piece(value[key], key)] if head else \
                        [Piece(value[key], key)]
                elif key == "since":
                    out += [Piece(r.choice(("last ", "past ", "since ", "the last "))),
                            Piece(value[key], key)]
                else:
                    out += [Piece(r.choice(("last ", ""))), Piece(value[key], key),
                            Piece(" lines")]
            return [p for p in out if p.text]
        index = next(i for i, p in enumerate(pieces) if p.slot == "deployment")
        if index == 0:
            return pieces
        before = pieces[index - 1].text
        if before.endswith(("/", "'", '"', "\u201c", ".")) or (
            index + 1 < len(pieces) and pieces[index + 1].text.startswith((".", "/", "'", '"'))
        ):
            return pieces
        lead = r.choice(("{}, ", "{}: ", "{} - ", "re {}: ", "about {}, ", "{} -> ",
                         "so {}, ", "regarding {}: "))
        head, _, tail = lead.partition("{}")
        rest = [Piece(p.text, p.slot) for p in pieces]
        rest[index] = Piece("it")
        return [Piece(head), Piece(value["deployment"], "deployment"), Piece(tail), *rest]

    def bounds(self, pieces: list[Piece], intent: str) -> list[Piece]:
        """set_autoscaling: "min 3" -> "at least 3", "a floor of 3"; "max 20" -> "up to
        20", "room to grow to 20"."""
        if intent != "set_autoscaling":
            return pieces
        r = self._rng
        out = [Piece(p.text, p.slot) for p in pieces]
        for i, piece in enumerate(out):
            if i == 0 or piece.slot not in {"min_replicas", "max_replicas"}:
                continue
            prev = out[i - 1]
            if prev.slot is not None or r.random() < 0.3:
                continue
            pattern, words = ((_MIN_BEFORE, _MIN_WORDS) if piece.slot == "min_replicas"
                              else (_MAX_BEFORE, _MAX_WORDS))
            match = pattern.search(prev.text)
            if match:
                prev.text = prev.text[: match.start()] + r.choice(words)
        return out

    def since_forms(self, pieces: list[Piece]) -> list[Piece]:
        """Durations as people write them: "in the last 2 hours", "over the past day"."""
        r = self._rng
        out = [Piece(p.text, p.slot) for p in pieces]
        for i, piece in enumerate(out):
            if piece.slot != "since" or i == 0 or out[i - 1].slot is not None:
                continue
            prev = out[i - 1]
            match = _SINCE_BEFORE.search(prev.text)
            if not match or r.random() < 0.3:
                continue
            lead = r.choice(_SINCE_LEADS)
            prev.text = prev.text[: match.start()] + lead
            if lead.rstrip().endswith(("last", "past")) and r.random() < 0.25:
                piece.text = r.choice(("hour", "day", "hour"))
        return out

    def reorder(self, pieces: list[Piece]) -> list[Piece]:
        """Move a trailing "in <namespace>" to the front: "in prod, restart checkout"."""
        if len(pieces) < 3 or pieces[-1].slot != "namespace" or pieces[-2].slot is not None:
            return pieces
        lead = pieces[-2].text.rstrip()
        if not lead.endswith(" in"):
            return pieces
        sep = self._rng.choice((", ", ": ", " - ", " "))
        return [Piece("in "), pieces[-1], Piece(sep), *pieces[:-2], Piece(lead[: -len(" in")])]

    def wrap(self, pieces: list[Piece], *, long: bool = False,
             antecedent: Sequence[Piece] = ()) -> list[Piece]:
        """Add a politeness lead and/or context sentences around the request; the
        `antecedent` sentence (which names the request's target) goes somewhere before it."""
        r = self._rng
        out = list(pieces)
        if r.random() < 0.4:
            question = _first_word(out[0].text if out else "") in _QUESTION_WORDS
            leads = self._question_leads if question else self._leads
            out.insert(0, Piece(r.choice(leads) + " "))
        before: list[str] = []
        if long:
            # 45-95 words of context, no sentence twice (people rarely repeat themselves);
            # about a third of it names things that are not slots (teams, services, times).
            pool = r.sample(self._filler + self._before, len(self._filler + self._before))
            target = r.randint(45, 95)
            while pool and sum(len(s.split()) for s in before) + 12 < target:
                before.append(self.distractor() if r.random() < 0.35 else pool.pop())
        elif r.random() < 0.45:
            before = r.sample(self._before, 2 if r.random() < 0.3 else 1)
            if r.random() < 0.5:
                before[r.randrange(len(before))] = self.distractor()
        if antecedent:
            # Mostly late in the context, as people name the thing just before the ask.
            context = [[Piece(sentence)] for sentence in before]
            at = len(context) if r.random() < 0.5 else r.randint(0, len(context))
            context.insert(at, list(antecedent))
            joined: list[Piece] = []
            for i, sentence in enumerate(context):
                joined += ([Piece(" ")] if i else []) + sentence
            out = [*joined, Piece(r.choice((" ", "\n", "  "))), *out]
        elif before:  # one piece, as the augmentation has always seen it
            out.insert(0, Piece(" ".join(before) + r.choice((" ", "\n", "  "))))
        if long or r.random() < 0.25:
            after = self.distractor() if r.random() < 0.25 else r.choice(self._after)
            out.append(Piece(r.choice((". ", "? ", " - ", "! ")) + after))
        return out

    def meta_context(self, pieces: list[Piece]) -> list[Piece]:
        """A confirmation, cancellation or denial with context around it ("Yes, I checked
        with the Payments team and 06:10 is fine. go ahead")."""
        r = self._rng
        out = list(pieces)
        before = [self.distractor() if r.random() < 0.6 else r.choice(self._before)
                  for _ in range(r.choice((1, 1, 2)))]
        if r.random() < 0.75:
            out.insert(0, Piece(" ".join(before) + r.choice((" ", "  ", " - ", "\n"))))
        if r.random() < 0.4:
            after = self.distractor() if r.random() < 0.5 else r.choice(self._after)
            out.append(Piece(r.choice((". ", " - ", "! ")) + after))
        return out

    def paraphrase(
        self, pieces: list[Piece], intent: str, *, runbook: bool, long: bool = False,
        antecedent: bool = False,
    ) -> list[Piece]:
        """Rewrite one filled template; only runbook phrasings get synonyms (in the
        out-of-scope phrases a synonym may change the request). `long`: wrap it into a
        message of 45-95 words. `antecedent`: name the target in a context sentence and
        refer back to it in the request, where the request allows it."""
        r = self._rng
        out = [Piece(p.text, p.slot) for p in pieces]
        if runbook and r.random() < 0.6:
            self.synonyms(out, intent)
        if runbook:
            out = self.since_forms(self.bounds(out, intent))
        if runbook and r.random() < 0.12:
            out = self.topicalize(out, intent)
        if r.random() < 0.5:
            out = self.references(out)
        if r.random() < 0.3:
            out = self.namespace_forms(out)
        if r.random() < 0.08:
            out = self.reorder(out)
        moved = None
        if runbook and antecedent:
            # Mostly the target (with or without its namespace); otherwise, or where the
            # request names no single target plainly, the namespace alone.
            moved = self.antecedent(out) if r.random() < 0.75 else None
            moved = moved or self.namespace_antecedent(out)
        if moved is not None:
            context, out = moved
            return self.wrap(out, long=long, antecedent=context)
        return self.wrap(out, long=long)
