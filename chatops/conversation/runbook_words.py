"""The runbooks a question names, by name or by the words of their change ("restarts", "a
drain", "scaling", "roll back"): what a question of rights or of what a change would do is
about."""

from __future__ import annotations

import re
from collections.abc import Iterable

_RUNBOOK_WORDS: tuple[tuple[str, str], ...] = (
    # the more specific first: "uncordon" holds "cordon", "autoscale" holds "scale"
    (r"uncordon\w*", "uncordon_node"),
    (r"cordon\w*", "cordon_node"),
    (r"drain\w*", "drain_node"),
    (r"auto-?scal\w*|hpas?", "set_autoscaling"),
    # the word between ("roll it back") starts with no dash: "roll " and 40,000 dashes
    # split two ways took 9.6 s (an attacker review)
    (r"roll(?:ed|ing|s)?(?:\s+[\w.]+(?:-[\w.]+)*)?[\s-]*backs?|rollbacks?|revert\w*|"
     r"undo(?:es|ing)?",
     "rollback_deployment"),
    (r"(?:delet\w*|kill\w*|evict\w*)\s+(?:a\s+|the\s+)?pods?|pod\s+(?:deletions?|kills?)",
     "delete_pod"),
    (r"restart\w*|bounc\w*|redeploy\w*", "restart_deployment"),
    (r"scal(?:e|es|ed|ing)\b(?:\s+(?:up|down|out|in))?|replicas", "scale_deployment"),
    (r"images?|deploy(?:ing)?|upgrad\w*|new\s+versions?|tags?", "set_image"),
    (r"resources?|(?:cpu|memory|mem)\s+(?:limits?|requests?)|limits", "set_resources"),
    (r"suspend\w*|paus\w*", "suspend_cronjob"),
    (r"resum\w*|unpaus\w*", "resume_cronjob"),
    (r"logs?", "pod_logs"),
    (r"events?", "recent_events"),
    (r"diagnos\w*", "diagnose"),
)
_RUNBOOK_WORD = [(re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE), runbook)
                 for words, runbook in _RUNBOOK_WORDS]
def runbooks_asked_about(text: str, runbooks: Iterable[str]) -> tuple[str, ...]:
    """The runbooks `text` names, by name or by their change's words
    ("restarts", "a drain", "scaling"), in the order the catalogue lists them; only those of
    `runbooks`."""
    known = tuple(runbooks)
    lowered = text.lower()
    named = {name for name in known if re.search(rf"(?<![\w-]){name}(?![\w-])", lowered)}
    cleaned = lowered
    for name in named:
        cleaned = cleaned.replace(name, " ")
    for pattern, runbook in _RUNBOOK_WORD:
        if runbook in known and pattern.search(cleaned):
            named.add(runbook)
            # "restart" said once is one runbook's word, not also another's ("undo" in
            # "rollback" or "scale" in "autoscale" are taken whole above).
            cleaned = pattern.sub(" ", cleaned)
    return tuple(name for name in known if name in named)
