"""The team's reviewed phrasings (`intents/feedback/*.yaml`) as training templates.

`chatops nlu feedback` exports the messages the bot did not understand well as a review
file; a person sets each entry's `intent`, fixes its slot markup and sets `reviewed: true`
(see `intents/feedback/README.md`). `load_feedback` turns the reviewed entries into
`finetune.data.Template`s, which `dataset_from_catalogue(extra=...)` always trains on and
never holds out for dev. Unreviewed entries are ignored; a reviewed entry that names an
intent or slot the catalogue does not have is an error naming its file and entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from chatops.model import META_INTENTS, OUT_OF_SCOPE
from chatops.runbook.markup import parse_markup
from finetune.data import CatalogueLike, Template

FEEDBACK_DIR = Path(__file__).resolve().parents[1] / "intents" / "feedback"
"""Where reviewed files live in the repository; `chatops nlu train` reads it by default."""

# Markup the parser did not take: a bracketed value before "(", or a slot name that is not
# lower_snake_case ("[checkout](Deployment)").
_BROKEN_MARKUP = re.compile(r"\[[^\[\]]*\]\s*\(|\]\([^)]*\)")


class FeedbackError(ValueError):
    """A review file, or a reviewed entry in it, that cannot be trained on."""


def _where(path: Path, index: int, entry: Mapping[str, Any]) -> str:
    text = entry.get("text")
    shown = f" ({text[:60]!r})" if isinstance(text, str) else ""
    return f"{path}, entry {index + 1}{shown}"


def _entry_template(path: Path, index: int, entry: Mapping[str, Any],
                    catalogue: CatalogueLike) -> Template:
    where = _where(path, index, entry)
    intent, text = entry.get("intent"), entry.get("text")
    if not isinstance(text, str) or not text.strip():
        raise FeedbackError(f"{where}: `text` must be the message, with slot markup")
    runbooks = catalogue.runbooks
    if not isinstance(intent, str) or (intent not in runbooks and intent != OUT_OF_SCOPE
                                       and intent not in META_INTENTS):
        known = ", ".join([*sorted(runbooks), OUT_OF_SCOPE, *META_INTENTS])
        raise FeedbackError(f"{where}: unknown intent {intent!r}; set `intent` to one of: "
                            f"{known}")
    plain, spans = parse_markup(text.strip())
    if _BROKEN_MARKUP.search(plain):
        raise FeedbackError(f"{where}: the slot markup does not parse; write slot values as "
                            "[value](slot_name), e.g. `restart [checkout](deployment)`")
    if intent in runbooks:
        declared: Mapping[str, Any] = runbooks[intent].slots
        whose = f"runbook {intent!r}"
    else:
        # `oos` and meta phrasings may mention any slot some runbook has.
        declared = {slot: spec for rb in runbooks.values() for slot, spec in rb.slots.items()}
        whose = "any runbook"
    unknown = sorted({span.slot for span in spans} - set(declared))
    if unknown:
        raise FeedbackError(f"{where}: slot(s) {', '.join(unknown)} are not declared by "
                            f"{whose}; it declares: {', '.join(sorted(declared)) or 'none'}")
    types = {slot: spec.type for slot, spec in declared.items()}
    choices = {slot: tuple(spec.choices) for slot, spec in declared.items() if spec.choices}
    return Template(f"feedback/{path.stem}#{index}", intent, plain, spans, types, choices)


def templates_from_file(path: Path, catalogue: CatalogueLike) -> list[Template]:
    """The reviewed entries of one review file as templates (ids `feedback/STEM#N`)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FeedbackError(f"{path}: not valid YAML: {exc}") from exc
    entries = document.get("entries") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise FeedbackError(f"{path}: expected a mapping with an `entries:` list (the shape "
                            "`chatops nlu feedback` writes)")
    templates: list[Template] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise FeedbackError(f"{path}, entry {index + 1}: expected a mapping with `text`, "
                                "`intent` and `reviewed`")
        reviewed = entry.get("reviewed", False)
        if not isinstance(reviewed, bool):
            raise FeedbackError(f"{_where(path, index, entry)}: `reviewed` must be true or "
                                f"false, not {reviewed!r}")
        if reviewed:
            templates.append(_entry_template(path, index, entry, catalogue))
    return templates


def load_feedback(directory: Path, catalogue: CatalogueLike) -> list[Template]:
    """The reviewed entries of every `*.yaml` file in `directory` (sorted by name), validated
    against `catalogue`; none when the directory does not exist. Raises `FeedbackError`."""
    if not directory.is_dir():
        return []
    templates: list[Template] = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        templates.extend(templates_from_file(path, catalogue))
    return templates

