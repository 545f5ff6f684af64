"""Paraphrase augmentation keeps slot values intact and draws wrappers per split."""

from __future__ import annotations

import random

from finetune.paraphrase import Paraphraser, Piece


def _pieces() -> list[Piece]:
    return [Piece("why is "), Piece("checkout", "deployment"), Piece(" crashing in "),
            Piece("prod", "namespace")]


def test_slot_values_survive_every_rewrite() -> None:
    for seed in range(200):
        paraphraser = Paraphraser(random.Random(seed), seed=13)
        out = paraphraser.paraphrase(_pieces(), "diagnose", runbook=True, long=seed % 5 == 0)
        # Reordering may put the namespace first; the values stay as typed.
        assert sorted((p.text, p.slot) for p in out if p.slot) == [
            ("checkout", "deployment"), ("prod", "namespace")
        ]


def test_diagnose_synonyms_cover_fix_and_broken() -> None:
    seen: set[str] = set()
    for seed in range(300):
        pieces = _pieces()
        Paraphraser(random.Random(seed), seed=13).synonyms(pieces, "diagnose")
        seen.add(pieces[2].text.strip())
    assert {"not working in", "broken in", "unhealthy in"} & seen


def test_long_wrapping_reaches_incident_length() -> None:
    lengths = []
    for seed in range(50):
        out = Paraphraser(random.Random(seed), seed=13).wrap(_pieces(), long=True)
        lengths.append(len("".join(p.text for p in out).split()))
    assert min(lengths) >= 35 and max(lengths) <= 120


def test_dev_wrappers_differ_from_train_wrappers() -> None:
    def contexts(dev: bool) -> set[str]:
        found = set()
        for seed in range(300):
            out = Paraphraser(random.Random(seed), dev=dev, seed=13).wrap(_pieces(), long=True)
            found.add(out[0].text if out[0].slot is None else "")
        return found

    assert not contexts(True) & contexts(False)


def _logs() -> list[Piece]:
    return [Piece("show logs of "), Piece("checkout", "deployment"), Piece(" in "),
            Piece("prod", "namespace"), Piece(" for the last "), Piece("2h", "since")]


def _text(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces)


def test_namespace_forms_keep_the_value_tagged() -> None:
    from finetune.data import _to_sample

    seen = set()
    for seed in range(200):
        out = Paraphraser(random.Random(seed), seed=13).namespace_forms(_logs())
        sample = _to_sample(out, "pod_logs", "t")
        assert sample is not None
        tagged = [w for w, t in zip(sample.words, sample.tags, strict=True) if t == "B-namespace"]
        assert tagged == ["prod"], _text(out)
        seen.add(_text(out).split("checkout")[1].split("prod")[0])
    assert {" (", " -n ", " --namespace=", " @ ", " in the "} <= seen


def test_min_and_max_words_for_autoscaling() -> None:
    pieces = [Piece("hpa "), Piece("auth", "deployment"), Piece(" min "),
              Piece("2", "min_replicas"), Piece(" max "), Piece("12", "max_replicas")]
    texts = {_text(Paraphraser(random.Random(s), seed=13).bounds(pieces, "set_autoscaling"))
             for s in range(300)}
    assert any("at least 2" in t for t in texts) and any("room to grow to 12" in t for t in texts)
    assert not any("at least 12" in t or "up to 2 " in t for t in texts)


def test_durations_are_ones_parse_duration_accepts() -> None:
    from chatops.runbook.slots import Bounds, parse_slot

    values = set()
    for seed in range(300):
        out = Paraphraser(random.Random(seed), seed=13).since_forms(_logs())
        values |= {p.text for p in out if p.slot == "since"}
    assert {"hour", "day", "2h"} <= values
    for value in values:
        parse_slot("since", "duration", value, Bounds(1, 604800))


def test_topicalized_and_telegraphic_requests_keep_every_slot() -> None:
    for seed in range(100):
        out = Paraphraser(random.Random(seed), seed=13).topicalize(_logs(), "pod_logs")
        assert sorted(p.text for p in out if p.slot) == ["2h", "checkout", "prod"]
        assert out[0].slot == "deployment" or out[1].slot == "deployment"


def test_distractor_sentences_differ_between_splits() -> None:
    from finetune import paraphrase

    train = paraphrase._split(paraphrase._DISTRACTORS, 13, False)
    dev = paraphrase._split(paraphrase._DISTRACTORS, 13, True)
    assert train and dev and not set(train) & set(dev)
    sentence = Paraphraser(random.Random(1), seed=13).distractor()
    assert "{" not in sentence


def test_meta_context_keeps_the_reply() -> None:
    for seed in range(30):
        out = Paraphraser(random.Random(seed), seed=13).meta_context([Piece("go ahead")])
        assert "go ahead" in _text(out)


def _requests() -> list[tuple[str, list[Piece]]]:
    return [
        ("scale_deployment", [Piece("scale the deployment "), Piece("search-gw", "deployment"),
                              Piece(" in "), Piece("discovery", "namespace"), Piece(" to "),
                              Piece("12", "replicas")]),
        ("set_image", [Piece("set image of "), Piece("notif", "deployment"), Piece(" in the "),
                       Piece("comms", "namespace"), Piece(" namespace to "),
                       Piece("reg.io/notif:2.3", "image")]),
        ("delete_pod", [Piece("delete pod "), Piece("web-7f-abc", "pod"), Piece(" in "),
                        Piece("shop", "namespace")]),
        ("resume_cronjob", [Piece("resume "), Piece("nightly-export", "cronjob"),
                            Piece(" in "), Piece("billing", "namespace")]),
    ]


def test_antecedents_name_the_target_before_the_request_and_keep_every_value() -> None:
    from finetune.data import _to_sample

    moved_kinds, moved_namespace = set(), 0
    for seed in range(400):
        intent, pieces = _requests()[seed % 4]
        result = Paraphraser(random.Random(seed), seed=13).antecedent(pieces)
        if result is None:
            continue
        context, request = result
        # Every value is still there, tagged, exactly once over context + request.
        assert sorted((p.text, p.slot) for p in [*context, *request] if p.slot) == sorted(
            (p.text, p.slot) for p in pieces if p.slot)
        moved = [p.slot for p in context if p.slot]
        assert moved and moved[0] in {"deployment", "image", "pod", "cronjob"}
        moved_kinds.add(moved[0])
        moved_namespace += "namespace" in moved
        text = _text(request).lower()
        # The request refers back; it never keeps a kind word in front of the anaphor.
        assert not any(f"{kind} {ref}" in text for kind in ("deployment", "pod", "cronjob")
                       for ref in ("it", "that", "the"))
        assert "{" not in _text(context)
        sample = _to_sample([*context, Piece(" "), *request], intent, "t")
        assert sample is not None
    assert moved_kinds == {"deployment", "image", "pod", "cronjob"}
    assert moved_namespace > 20


def test_a_name_written_with_its_kind_after_it_is_left_alone() -> None:
    pieces = [Piece("restart the "), Piece("checkout", "deployment"), Piece(" deployment")]
    for seed in range(50):
        assert Paraphraser(random.Random(seed), seed=13).antecedent(pieces) is None


def test_antecedent_sentences_differ_between_splits() -> None:
    from finetune import paraphrase

    for kind, sentences in paraphrase._ANTECEDENTS.items():
        train = paraphrase._split(sentences, 13, False)
        dev = paraphrase._split(sentences, 13, True)
        assert train and dev and not set(train) & set(dev), kind



def test_the_namespace_alone_can_be_named_before_the_request() -> None:
    from finetune.data import _to_sample

    seen = 0
    for seed in range(100):
        intent, pieces = _requests()[seed % 4]
        result = Paraphraser(random.Random(seed), seed=13).namespace_antecedent(pieces)
        if result is None:
            continue
        context, request = result
        assert [p.slot for p in context if p.slot] == ["namespace"]
        assert "namespace" not in {p.slot for p in request}
        assert not _text(request).rstrip().endswith((" in", " in the"))
        assert _to_sample([*context, Piece(" "), *request], intent, "t") is not None
        seen += 1
    assert seen > 50
