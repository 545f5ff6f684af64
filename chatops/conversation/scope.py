"""Scope: requests to create something, or to change a kind of object no runbook changes.

The model is trained to answer these out of scope; this is the second line for the one
mistake that matters, a creation request read as a change to something that exists ("roll
out a second copy of search as search-next" read as `set_image search`). A message that
asks to create, install or provision is never answered with a mutating runbook, whatever
the model's confidence; it gets an honest "I can't create that" and what the bot can do.
Its siblings hold the other lines: `kinds.py` (a write request whose target is named as a
kind no runbook changes) and `asking.py` (a message that does not ask for the change, and
a change the runbook does not make).
"""

from __future__ import annotations

import re

# Kinds of things one asks to have; autoscalers apart, see `_ACQUIRE`.
_THINGS = (
    r"deployments?|services?|svcs?|namespaces?|ns|clusters?|apps?|applications?|"
    r"workloads?|cron ?jobs?|jobs?|secrets?|config ?maps?|ingress(?:es)?|roles?|"
    r"role ?bindings?|cluster ?roles?|service ?accounts?|network ?polic(?:y|ies)|"
    r"pvcs?|persistent ?volume(?: ?claim)?s?|volumes?|statefulsets?|daemonsets?|"
    r"node ?pools?|nodes?|pods?|charts?|releases?|databases?|"
    r"queues?|buckets?|users?|groups?|certificates?|dns records?|load ?balancers?|"
    r"environments?|envs?|instances?|copies|copy|replicas? of|replica ?sets?"
)
_OBJECTS = r"(?:hpas?|autoscalers?|" + _THINGS + ")"
# Policy objects no runbook creates or changes, which read like a deployment's resources or
# replicas ("a quota of 64Gi", "a disruption budget with minAvailable 2"); CamelCase kind
# names match too (ResourceQuota, LimitRange, PodDisruptionBudget).
_POLICY_OBJECTS = (
    r"(?:resource ?quotas?|quotas?|limit ?ranges?|pod ?disruption ?budgets?|"
    r"disruption ?budgets?|pdbs?|priority ?class(?:es)?|storage ?class(?:es)?|"
    r"vertical ?pod ?autoscalers?|vpas?|runtime ?class(?:es)?)"
)
_CREATION = re.compile(
    r"\b(?:"
    r"create|creating|provision(?:ing)?|bootstrap|scaffold|"
    r"install(?:ing)?|helm install|kubectl (?:create|apply|run|autoscale|expose)|"
    # "launch a cache", not "before the product launch", nor an event launched ("we launch
    # the black friday promo at 9", "launching a flash sale").
    r"launch(?:ing)? (?=(?:a|an|the|another|new|one|our|\w+-\w+)\b)"
    r"(?!(?:a|an|the|our|this|that)?\s*(?:[\w-]+\s+){0,3}?(?:campaigns?|promos?|promotions?|"
    r"sales?|events?|features?|products?|announcements?|webinars?|betas?|sites?|pages?|"
    r"emails?|newsletters?|ads?|launch)\b)|"
    # "deploy a brand new service"; not "deploy the new build of api" (an image change).
    r"deploy(?:ing)? (?:the |a |an |our |this )?(?:brand[- ])?new"
    r"(?! (?:build|image|version|tag|release)s? (?:of|to|for)\b)|"
    # A second workload beside the first ("a canary next to the stable pods").
    r"(?:alongside|next to|side by side with|beside) (?:the |our )?(?:current|existing|"
    r"stable|old|live|running)|"
    r"(?:spin|stand|set|fire) up (?:a |an |another |one more |the )?(?:new )?" + _OBJECTS + r"|"
    # "stand up checkout-canary on v2.5.0": a name that does not exist yet.
    r"(?:spin|stand|fire) up (?!(?:more|extra|another|additional)\b)[a-z][\w.]*-[\w.-]+|"
    # "the new deployment of search" is one that exists; "a new deployment" is not yet.
    r"(?<!the )(?<!this )(?<!that )(?<!our )(?<!my )(?<!its )"
    # Not a place ("schedule on another node") nor the subject of what happened ("a new
    # release broke it", "another node is taking over").
    r"(?<!on )(?<!onto )(?<!to )(?<!from )(?<!in )"
    # Nor what something has now ("worker-3 has a new ebs volume attached").
    r"(?<!has a )(?<!have a )(?<!got a )(?<!has an )(?<!have an )(?<!got an )"
    # Nor what each of them does ("every extra replica of it makes it worse").
    r"(?<!every )(?<!each )"
    # ("a third of users" is a share, not a third user.)
    r"(?:new|second|third|another|extra|additional|separate|parallel|duplicate) "
    r"(?:(?!of\b)\w+[- ])?" + _OBJECTS +
    r"(?!\s+(?:broke|breaks|is|was|has|had|failed|fails|caused|causes|went|introduced|"
    r"crashed|seems|looks|made|took|takes|will|are|were|arrived|came|joined|landed|showed|"
    r"appeared|registered|became|attached|got|have)\b)|"
    r"(?:a |another |second )?(?:copy|clone|duplicate) of|"
    # "make checkout-canary from checkout"; not "make api go from 2 to 4 replicas".
    r"make [\w.-]+ (?:from|out of|based on) (?!\d)[a-z][\w.-]*|"
    # "clone deploy/checkout-api into staging", "duplicate the api deployment into qa";
    # not "copy the api logs to the ticket" (only a workload's kind may follow the name).
    r"(?:clone|copy|duplicate) (?:the |our )?[\w.-]+(?:/[\w.-]+)?"
    r"(?: (?:deployment|service|app|application|workload|statefulset|daemonset|cronjob))?"
    r" (?:in)?to|"
    r"(?:grant|give) [\w.@-]+ (?:\w+ )?(?:admin|access|permissions?|rights?|roles?)|"
    # A first deployment, or something said not to exist yet: "ship payments-worker to
    # prod for the first time", "it doesn't exist yet", "checkout has no hpa yet".
    r"(?:deploy|ship|roll(?:ing)? out|release|install)\w* (?:[\w.:/-]+ ){1,5}?for the first "
    r"time|first (?:deploy|deployment|release|rollout) of|"
    r"(?:doesn[\u2019']?t|does not|isn[\u2019']?t|is not) (?:exist|deployed|there) yet|"
    r"not (?:deployed|created) yet|"
    # "write me a deployment yaml", "generate us a k8s service manifest".
    r"(?:write|generate|draft) (?:(?:a|an|the|me|us|some) ){0,2}(?:k8s |kubernetes )?"
    r"(?:[\w-]+ )?(?:yaml|manifests?|helm charts?|dockerfile|kustomization)|"
    # "we need a quota of 40 cores", "put a PodDisruptionBudget on checkout"; not a
    # mention in passing ("a broker which has a disruption budget").
    r"(?:set up|add|put|apply|configure|define|introduce|enforce|need|want|create|get) "
    r"(?:a|an|one|some|new) (?:\w+ )?" + _POLICY_OBJECTS + r"|"
    # (Not a name that starts like one: "give admin-handler a restart".)
    r"(?:add|grant|give) (?:a |an |the )?(?:new )?"
    r"(?:network ?polic(?:y|ies)|role ?bindings?|roles?|secrets?|ingress|namespace|"
    r"service ?accounts?|admin|access|permissions?|user)(?![\w.-])"
    r")\b",
    re.IGNORECASE,
)
# Asking for a thing, with up to two words of size, image or purpose before its kind ("set
# up a 100Gi volume", "add a redis instance", "we need a cronjob that ..."). Not "a drain
# of node-3" (no "of" in between), "a pod list" or "a node cordoned" (a word after the kind
# that makes it the subject of something else), nor "one more pod" (scaling, see below).
# An autoscaler is left out: "add an autoscaler to orders, min 1 max 5" is the autoscaling
# runbook's own wording (it changes one that exists, and says so when there is none).
_ACQUIRE = re.compile(
    r"\b(?:add|make|need|want|set up|spin up|stand up|fire up|build|provision)"
    r" (?:me |us )?(?:a|an|one|some|another) (?:(?!of\b)[\w.:-]+ ){0,2}?"
    + "(?:" + _THINGS + ")" +
    r"\b(?! ?(?:list|status|logs?|names?|overview|count|summary|health|report|details|"
    r"events|restarts?|images?|history|usage|autoscalers?|bounce|restart|rollback|"
    r"rollout|redeploy|back|\w+ed)\b)",
    re.IGNORECASE,
)
# "another replica", "one more instance": that is scaling what exists, not creating.
_SCALING = re.compile(r"\b(?:another|extra|additional|more|new|some) (?:\w+ )?(?:replicas?|"
                      r"instances?|pods?|copies)\b(?! of)", re.IGNORECASE)


# An autoscaler said not to exist yet: a request to set one's bounds would create it
# ("checkout has no hpa yet, give it one: min 2 max 8"); a scale by hand is what such a
# deployment gets (session 50's end-to-end bench: refused as a creation).
_NO_AUTOSCALER = re.compile(
    r"\b(?:(?:has|have) no (?:hpa|autoscaler|horizontal pod autoscaler)s?(?: yet)?|"
    r"(?:doesn[\u2019']?t|does not) have an? (?:hpa|autoscaler)|"
    r"there (?:isn[\u2019']?t|is no) (?:one|an? (?:hpa|autoscaler)) yet)\b", re.IGNORECASE)


def asks_to_create(text: str, *, autoscaler: bool = True) -> bool:
    """Whether `text` asks to create, install or provision something (no runbook does).
    `autoscaler`: whether the change asked for sets an autoscaler's bounds, which an
    autoscaler said not to exist would create."""
    if autoscaler and _NO_AUTOSCALER.search(text):
        return True
    if any(not _SCALING.fullmatch(match.group(0)) for match in _CREATION.finditer(text)):
        return True
    for match in _ACQUIRE.finditer(text):
        tail = _SCALING.search(match.group(0))
        if tail is None or tail.end() != len(match.group(0)):
            return True
    return False
