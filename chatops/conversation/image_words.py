"""An image given as a repository and a tag in words: "put nginx 1.27 on web-frontend".

The model tags the tag alone as the image ("1.27", which keeps the current repository) and
often the repository's word as the container: the plan was then refused ("container nginx
not found") or, for "deploy redis 7.2 to cache", took cache's own repository with tag 7.2,
another image than the one named (a user trial). The word right before a bare tag that
is no container of the deployment names the repository when the deployment runs it (the
tag alone keeps its registry) or it is a repository's path; any other word ("hotfix 1.27",
"redis 7.2" on cache) is no proof of another repository: the tag stays on the one it
runs, and the plan says how to name another image.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from chatops.messages import tag_kept_note
from chatops.model import SlotSpan

_BARE_TAG = re.compile(r"^v?\d[\w.-]*$")
"""A tag as people give it after a repository's name: a version."""
_REPOSITORY = re.compile(r"^[a-z][a-z0-9._-]*(?:/[a-z0-9._-]+)*$")
_SKIPPED = frozenset({"version", "v", "release", "build", "tag", "image"})
"""Words between the repository's name and the tag ("nginx version 1.27")."""
_NOT_A_REPOSITORY = frozenset({
    "to", "on", "at", "of", "with", "from", "the", "a", "an", "onto", "into", "and", "in",
    "out", "back", "up", "down", "it", "its", "is", "be", "run", "runs", "running", "use",
    "using", "upgrade", "update", "bump", "set", "deploy", "roll", "move", "switch", "put",
    "get", "change", "pin", "revert", "rollback", "downgrade", "please", "pls", "now",
    "new", "old", "latest", "same", "than", "instead", "for", "as", "via", "rev",
    "revision", "tags", "images", "versions", "ship", "push",
})


def repository_word(text: str, spans: Iterable[SlotSpan]) -> tuple[str, str] | None:
    """(the word naming a repository, the bare tag) when the image slot holds a bare tag
    right after such a word; None otherwise. A word another slot holds (but the container,
    which is what is in question) names no repository."""
    spans = tuple(spans)
    image = next((s for s in spans if s.slot == "image"), None)
    if image is None or not _BARE_TAG.match(image.text):
        return None
    words = list(re.finditer(r"\S+", text[:image.start]))
    while words and words[-1].group(0).lower().strip(",:") in _SKIPPED:
        words.pop()
    if not words:
        return None
    last = words[-1]
    word = last.group(0).lower()
    if (not _REPOSITORY.match(word) or word in _NOT_A_REPOSITORY
            or any(s.slot != "container" and s.start < last.end() and last.start() < s.end
                   for s in spans)):
        return None
    return word, image.text


def short_name(image: str) -> str:
    """The last part of an image's repository (`registry.acme.io/team/nginx:1` -> nginx)."""
    repository = image.split("@", 1)[0]
    slash = repository.rfind("/")
    colon = repository.rfind(":")
    if colon > slash:
        repository = repository[:colon]
    return repository.rsplit("/", 1)[-1].lower()


def image_as_named(text: str, spans: Iterable[SlotSpan], slots: Mapping[str, str],
                   containers: Callable[[], Collection[str]],
                   images: Callable[[], Sequence[str]]) -> tuple[dict[str, str], str] | None:
    """`slots` with the image the words name, and a note for the plan ("" when none); None
    when the words give no repository, or it is a container's name (`containers`: the
    namespace's; `images`: the deployment's images now). The word is the repository only
    when the deployment runs it ("nginx 1.27": the tag alone, keeping its registry) or
    it is a repository's path ("acme/cart 1.9": `acme/cart:1.9`); any other word keeps the
    model's reading, the tag on the repository it runs, and the plan says so (an attacker
    review: "deploy hotfix 1.27 to web" planned the image `hotfix:1.27`)."""
    found = repository_word(text, spans)
    if found is None:
        return None
    word, tag = found
    if word in {c.lower() for c in containers()}:
        return None  # "set sidecar 1.2 on api": the container's image gets the tag
    new = {k: v for k, v in slots.items() if not (k == "container" and v.lower() == word)}
    if word in {short_name(image) for image in images()}:
        return {**new, "image": tag}, ""
    if "/" in word:
        return {**new, "image": f"{word}:{tag}"}, ""
    return {**new, "image": tag}, tag_kept_note(word, tag)
