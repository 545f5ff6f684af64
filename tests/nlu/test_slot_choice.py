"""Choosing one value per slot from the model's per-word label probabilities
(`intents.slots.decode_slots`): pure logic, on hand-made probability rows."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from chatops.model import SlotSpan
from intents.names import name_shaped
from intents.slots import MIN_FILL_SCORE, MIN_SPAN_SCORE, SlotLabels, decode_slots
from intents.text import normalise, split_words

VOCAB = SlotLabels(("O", "B-deployment", "I-deployment", "B-namespace", "I-namespace",
                    "B-cronjob", "I-cronjob", "B-pod", "I-pod"))


def row(**weights: float) -> list[float]:
    """One word's probabilities: the named labels (`B_namespace=0.7`), the rest to `O`."""
    values = [0.0] * len(VOCAB.labels)
    for name, value in weights.items():
        index = VOCAB.index(name.replace("_", "-", 1))
        assert index is not None, name
        values[index] = value
    values[0] = 1.0 - sum(values)
    assert values[0] >= 0
    return values


def choose(text: str, rows: list[list[float]], **kwargs: object) -> dict[str, str]:
    norm = normalise(text)
    words = split_words(norm.text)
    assert len(words) == len(rows), [w.text for w in words]
    probs: npt.NDArray[np.float64] = np.asarray(rows, dtype=np.float64)
    spans = decode_slots(probs, VOCAB, words, norm, text, **kwargs).spans  # type: ignore[arg-type]
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert len({s.slot for s in spans}) == len(spans)
    for span in spans:
        assert text[span.start:span.end] == span.text
    return {s.slot: s.text for s in spans}


OUT = row()


def test_the_surer_of_two_spans_keeps_the_slot_and_the_other_takes_the_free_one() -> None:
    # 'api' was read as a namespace (0.6) but scores 0.3 as a deployment; 'shop' is surely
    # the namespace.
    text = "fix the deployment called 'api' in the 'shop' namespace"
    rows = [OUT, OUT, OUT, OUT, OUT, row(B_namespace=0.6, B_deployment=0.3), OUT, OUT, OUT,
            OUT,
            row(B_namespace=0.99), OUT, OUT]
    assert choose(text, rows, declared={"deployment", "namespace"}) == {
        "deployment": "api", "namespace": "shop"}


def test_a_context_name_that_fits_no_free_slot_is_dropped() -> None:
    text = "invoices look wrong since the invoice-renderer release, show its history"
    rows = [row(B_deployment=0.95), OUT, OUT, OUT, OUT, row(B_deployment=0.97), OUT, OUT, OUT, OUT, OUT]
    # The surer name wins, wherever it stands; the other fits no other slot.
    assert choose(text, rows, declared={"deployment", "namespace"}) == {
        "deployment": "invoice-renderer"}
    assert MIN_SPAN_SCORE > 0.0


def test_plain_decoding_would_have_kept_the_first_span() -> None:
    from intents.parser import decode_spans

    text = "cart is slow; restart cartsvc please"
    norm = normalise(text)
    words = split_words(norm.text)
    tags = ["B-deployment", "O", "O", "O", "O", "B-deployment", "O"]
    assert decode_spans(tags, words, norm, text)[0].text == "cart"
    rows = [row(B_deployment=0.55), OUT, OUT, OUT, OUT, row(B_deployment=0.98), OUT]
    assert choose(text, rows, declared={"deployment", "namespace"}) == {"deployment": "cartsvc"}


def test_labels_of_undeclared_slots_do_not_count() -> None:
    # Half read as a cronjob, but the runbook has no cronjob slot: its deployment score
    # (0.4) beats 'O' (0.2) once the cronjob labels are out.
    text = "restart pricing-engine"
    rows = [OUT, row(B_cronjob=0.4, B_deployment=0.4)]
    assert choose(text, rows, declared={"deployment", "namespace"}) == {
        "deployment": "pricing-engine"}
    # Without a runbook (out of scope, meta intents) every slot the model knows counts.
    assert choose(text, rows, declared=None) in (
        {"cronjob": "pricing-engine"}, {"deployment": "pricing-engine"})


def test_multi_word_spans_stay_whole() -> None:
    text = "logs of checkout in shop prod"
    rows = [OUT, OUT, row(B_deployment=0.9), OUT, row(B_namespace=0.8), row(I_namespace=0.7)]
    assert choose(text, rows, declared={"deployment", "namespace"}) == {
        "deployment": "checkout", "namespace": "shop prod"}


def test_a_missing_required_slot_takes_the_best_word_only_above_the_bar() -> None:
    text = "nuke the stuck pod web-7d9f-x2 (comms)"
    above = [OUT, OUT, OUT, OUT, row(B_pod=MIN_FILL_SCORE + 0.05), OUT, row(B_namespace=0.9), OUT]
    below = [OUT, OUT, OUT, OUT, row(B_pod=MIN_FILL_SCORE - 0.05), OUT, row(B_namespace=0.9), OUT]
    declared = {"pod", "namespace"}
    assert choose(text, above, declared=declared, required={"pod"}) == {
        "pod": "web-7d9f-x2", "namespace": "comms"}
    assert choose(text, below, declared=declared, required={"pod"}) == {"namespace": "comms"}
    # Optional slots are never filled that way.
    assert choose(text, above, declared=declared) == {"namespace": "comms"}


def test_probabilities_must_match_the_words() -> None:
    text = "restart web"
    norm = normalise(text)
    words = split_words(norm.text)
    with pytest.raises(ValueError, match="shape"):
        decode_slots(np.zeros((3, len(VOCAB.labels))), VOCAB, words, norm, text)
    with pytest.raises(ValueError, match="'O'"):
        SlotLabels(("B-x", "O"))


RESOURCES = SlotLabels(("O", "B-deployment", "I-deployment", "B-cpu_request", "I-cpu_request",
                        "B-cpu_limit", "I-cpu_limit", "B-memory_request", "I-memory_request",
                        "B-memory_limit", "I-memory_limit", "B-min_replicas", "I-min_replicas",
                        "B-max_replicas", "I-max_replicas"))
TYPES = {"deployment": "deployment", "cpu_request": "cpu", "cpu_limit": "cpu",
         "memory_request": "memory", "memory_limit": "memory", "min_replicas": "integer",
         "max_replicas": "integer"}


def choose_tagged(text: str, tagged: dict[str, str], vocab: SlotLabels,
                  types: dict[str, str], score: float = 0.6, *, labels: bool = False,
                  by_place: bool = True) -> dict[str, str]:
    """The model's best label per word (`{"512Mi": "memory_request"}`, at `score`; whole
    labels such as `I-check` with `labels`), the rest `O`; decoded with the slots of
    `types` declared."""
    norm = normalise(text)
    words = split_words(norm.text)
    probs = np.zeros((len(words), len(vocab.labels)))
    probs[:, 0] = 1.0
    for i, word in enumerate(words):
        if word.text in tagged:
            label = tagged[word.text] if labels else f"B-{tagged[word.text]}"
            index = vocab.index(label)
            assert index is not None
            probs[i] = 0.0
            probs[i, index], probs[i, 0] = score, 1.0 - score
    spans = decode_slots(probs, vocab, words, norm, text, declared=set(types), types=types,
                         by_place=by_place).spans
    return {s.slot: s.text for s in spans}


def choose_typed(text: str, tagged: dict[str, str]) -> dict[str, str]:
    """Decoded with the resource and autoscaling slots declared."""
    return choose_tagged(text, tagged, RESOURCES, TYPES)


def test_request_and_limit_follow_the_words_before_each_value() -> None:
    text = "give web a memory request of 256Mi and a limit of 512Mi"
    # The model swapped them (each word read on its own).
    got = choose_typed(text, {"web": "deployment", "256Mi": "memory_limit",
                              "512Mi": "memory_request"})
    assert got == {"deployment": "web", "memory_request": "256Mi", "memory_limit": "512Mi"}


@pytest.mark.parametrize(("text", "value", "slot"), [
    # A user trial: "request" nine words before the value, past the old eight-word window,
    # and the model's "limit" stood: the plan changed the limit nobody asked about.
    ("set memory request of container app of sidecar-app in dev to 512Mi", "512Mi",
     "memory_request"),
    ("please set the cpu limit for the proxy container of the web deployment in prod to 2",
     "2", "cpu_limit"),
])
def test_a_cue_far_before_its_value_in_the_same_sentence_still_names_it(
        text: str, value: str, slot: str) -> None:
    wrong = "memory_limit" if slot == "memory_request" else "cpu_request"
    assert choose_typed(text, {value: wrong})[slot] == value


@pytest.mark.parametrize("text", [
    # An attacker review of the wider window: the cue is in another clause.
    "leave the cpu limit alone, just set the cpu of container app of checkout in prod to 500m",
    "the cpu limit is fine but please set the cpu for web in prod to 500m",
])
def test_a_cue_in_another_clause_names_nothing(text: str) -> None:
    assert choose_typed(text, {"500m": "cpu_request"}) == {"cpu_request": "500m"}


@pytest.mark.parametrize(("text", "value", "wrong", "slot"), [
    # A user trial: "actually 1Gi for the limit" was read as the request.
    ("actually 1Gi for the limit", "1Gi", "memory_request", "memory_limit"),
    ("set web to 512Mi memory request", "512Mi", "memory_limit", "memory_request"),
    ("give web 500m as its cpu limit", "500m", "cpu_request", "cpu_limit"),
])
def test_a_cue_right_after_its_value_names_it(text: str, value: str, wrong: str,
                                              slot: str) -> None:
    assert choose_typed(text, {value: wrong}) == {slot: value}


@pytest.mark.parametrize("text", [
    "set web to 512Mi, the limit stays as it is",   # another clause
    "set web to 512Mi and leave the limit",          # past a clause word
])
def test_a_cue_after_the_value_in_another_clause_names_nothing(text: str) -> None:
    assert choose_typed(text, {"512Mi": "memory_request"}) == {"memory_request": "512Mi"}


def test_a_cue_in_an_earlier_sentence_names_nothing() -> None:
    text = "the limit was fine yesterday. set memory for web in prod to 512Mi"
    assert choose_typed(text, {"web": "deployment", "512Mi": "memory_request"}) == {
        "deployment": "web", "memory_request": "512Mi"}


def test_the_unit_tells_cpu_from_memory_and_a_cue_carries_over() -> None:
    text = "requests for web: cpu=1.5 memory=3Gi"
    got = choose_typed(text, {"web": "deployment", "1.5": "memory_limit",
                              "3Gi": "memory_limit"})
    assert got == {"deployment": "web", "cpu_request": "1.5", "memory_request": "3Gi"}
    # 500m is millicores, 500M megabytes.
    assert choose_typed("set the limit of web to 500m", {"web": "deployment",
                                                        "500m": "memory_limit"}) == {
        "deployment": "web", "cpu_limit": "500m"}
    assert choose_typed("set the limit of web to 500M", {"web": "deployment",
                                                        "500M": "cpu_limit"}) == {
        "deployment": "web", "memory_limit": "500M"}
    assert choose_typed("a cpu request of 1 and a limit of 2 for web", {
        "1": "cpu_request", "2": "memory_request", "web": "deployment"}) == {
        "deployment": "web", "cpu_request": "1", "cpu_limit": "2"}


def test_minimum_and_maximum_follow_their_cues_and_a_range_keeps_the_model() -> None:
    assert choose_typed("hpa min for web should be 6", {"web": "deployment",
                                                        "6": "max_replicas"}) == {
        "deployment": "web", "min_replicas": "6"}
    # No cue between the values: the second is not given the first one's dimension.
    assert choose_typed("autoscale web between 4 and 20 pods", {
        "web": "deployment", "4": "min_replicas", "20": "max_replicas"}) == {
        "deployment": "web", "min_replicas": "4", "max_replicas": "20"}
    # A cued value wins its slot over an uncued one the model was surer of.
    text = "room for forty pods at peak, so set its minimum to 8 and its maximum to 40"
    got = choose_typed(text, {"forty": "max_replicas", "8": "min_replicas",
                              "40": "min_replicas"})
    assert got == {"min_replicas": "8", "max_replicas": "40"}


@pytest.mark.parametrize(("text", "at"), [
    ("describe api in billing now", 3),
    ("describe api (billing) now", 3),
    ("describe api -n billing now", 3),
    ("describe api namespace=billing now", 4),
])
def test_a_span_whose_slot_is_taken_goes_to_the_namespace_its_cue_names(text: str,
                                                                         at: int) -> None:
    # 'billing' read as a second deployment (its slot taken by the surer 'api'), a little
    # as a pod, hardly as a namespace: the words before it say namespace.
    n = len(split_words(normalise(text).text))
    rows = [OUT] * n
    rows[1] = row(B_deployment=0.95)
    rows[at] = row(B_deployment=0.5, B_pod=0.3, B_namespace=0.05)
    assert choose(text, rows, declared={"deployment", "namespace", "pod"}) == {
        "deployment": "api", "namespace": "billing"}


def test_without_a_namespace_cue_the_next_best_free_slot_stands() -> None:
    # Not right after the surer name either (step 4 reads "describe api billing" as
    # namespace billing).
    text = "describe api for billing now"
    rows = [OUT, row(B_deployment=0.95), OUT,
            row(B_deployment=0.5, B_pod=0.3, B_namespace=0.05), OUT]
    assert choose(text, rows, declared={"deployment", "namespace", "pod"}) == {
        "deployment": "api", "pod": "billing"}


LOGS = SlotLabels(("O", "B-deployment", "I-deployment", "B-since", "I-since", "B-lines",
                   "I-lines"))
LOG_TYPES = {"deployment": "deployment", "since": "duration", "lines": "integer"}


def choose_logs(text: str, tagged: dict[str, str]) -> dict[str, str]:
    """Decoded as pod_logs, the tagged words at 0.7."""
    return choose_tagged(text, tagged, LOGS, LOG_TYPES, score=0.7)


@pytest.mark.parametrize(("text", "tagged", "since"), [
    # The model tagged the number and left its unit out: "45" alone is no duration.
    ("logs of api for the last 45 minutes please", {"api": "deployment", "45": "since"},
     "45 minutes"),
    ("show api logs from the last 2 hrs?", {"api": "deployment", "2": "since"}, "2 hrs"),
    # ... or the unit and left the number out ("minutes" alone would mean one minute).
    ("api logs, last 30 minutes", {"api": "deployment", "minutes": "since"}, "30 minutes"),
    ("api logs over the past 3 days.", {"api": "deployment", "days": "since"}, "3 days"),
    ("api logs since 1 week", {"api": "deployment", "1": "since"}, "1 week"),
    # Whole already, or a bare unit with no number before it: as tagged.
    ("api logs for the last 1h", {"api": "deployment", "1h": "since"}, "1h"),
    ("api logs from the last hour", {"api": "deployment", "hour": "since"}, "hour"),
    # The word after the number is no unit: nothing to add.
    ("api logs since 10 today", {"api": "deployment", "10": "since"}, "10"),
    # A duration in two parts is not cut to one of them ("30 m" of "1 h 30 m" would be a
    # third of what was asked): left as tagged, the bot asks rather than show less.
    ("api logs for the last 1 h 30 m", {"api": "deployment", "30": "since"}, "30"),
    ("api logs for the last 1 hour 30 minutes", {"api": "deployment", "hour": "since"},
     "hour"),
])
def test_a_duration_keeps_its_number_and_its_unit(text: str, tagged: dict[str, str],
                                                  since: str) -> None:
    assert choose_logs(text, tagged)["since"] == since


def test_a_duration_never_takes_a_word_another_slot_holds() -> None:
    got = choose_logs("api logs, 45 minutes", {"api": "deployment", "45": "lines",
                                               "minutes": "since"})
    assert got["lines"] == "45" and got["since"] == "minutes"


HYGIENE = SlotLabels(("O", "B-check", "I-check", "B-namespace", "I-namespace"))


@pytest.mark.parametrize(("text", "tagged", "check"), [
    ("missing cpu and memory limits in payments",
     {"cpu": "B", "memory": "B", "limits": "I"}, "cpu and memory limits"),
    ("which pods are privileged or mount hostPath",
     {"privileged": "B", "or": "I", "mount": "I", "hostPath": "B"},
     "privileged or mount hostPath"),
    ("tty, stdin or hostpath anywhere?", {"tty": "B", "stdin": "B", "hostpath": "B"},
     "tty, stdin or hostpath"),
])
def test_checks_joined_by_and_or_a_comma_stay_one_value(text: str, tagged: dict[str, str],
                                                        check: str) -> None:
    got = choose_tagged(text, {w: f"{t}-check" for w, t in tagged.items()}, HYGIENE,
                        {"check": "hygiene_check", "namespace": "namespace"}, score=0.8,
                        labels=True)
    assert got["check"] == check


def test_checks_apart_in_the_message_are_not_joined_nor_other_slots_ever() -> None:
    text = "root in prod and also privileged"
    got = choose_tagged(text, {"root": "B-check", "privileged": "B-check"}, HYGIENE,
                        {"check": "hygiene_check", "namespace": "namespace"}, score=0.8,
                        labels=True)
    assert got["check"] in {"root", "privileged"}
    got = choose_tagged("restart api and web", {"api": "B-deployment", "web": "B-deployment"},
                        VOCAB, {"deployment": "deployment"}, score=0.8, labels=True)
    assert got == {"deployment": "api"}


@pytest.mark.parametrize("text", ["was web-frontend's image changed",
                                  "was web-frontend\u2019s image changed"])
def test_a_name_ends_before_a_possessive(text: str) -> None:
    # A user trial: "web-frontend's" was refused as no valid deployment name.
    rows = [OUT, row(B_deployment=0.9), OUT, OUT]
    assert choose(text, rows, types={"deployment": "deployment"}) == {
        "deployment": "web-frontend"}


def test_a_possessive_stays_on_what_is_no_name() -> None:
    rows = [OUT, row(B_cronjob=0.9), OUT, OUT]
    assert choose("was nightly's run ok", rows, types={"cronjob": "image"}) == {
        "cronjob": "nightly's"}


@pytest.mark.parametrize("text", ["scale web-frontend's worker to 3",
                                  "restart web-frontend's sidecar now"])
def test_a_possessive_before_another_thing_stays(text: str) -> None:
    # An attacker review: "scale web-frontend's worker to 3" scaled web-frontend.
    rows = [OUT, row(B_deployment=0.9), *[OUT] * (len(text.split()) - 2)]
    assert choose(text, rows, types={"deployment": "deployment"}) == {
        "deployment": "web-frontend's"}


NAMES = {"deployment": "deployment", "namespace": "namespace"}


def test_a_namespace_s_possessive_is_never_part_of_it() -> None:
    # "prod's checkout-api" is checkout-api in prod, whatever follows the possessive.
    rows = [OUT, row(B_namespace=0.9), row(B_deployment=0.9)]
    assert choose("restart prod's checkout-api", rows, types=NAMES) == {
        "namespace": "prod", "deployment": "checkout-api"}


@pytest.mark.parametrize(("text", "cued", "other"), [
    ("payments namespace: checkout-api keeps restarting", 0, 3),
    ("the payments ns has checkout-api crashlooping", 1, 4),
    ("checkout-api is down, namespace payments", 5, 0),
    ("checkout-api is down -n payments", 4, 0),
])
def test_a_name_its_words_call_a_namespace_is_the_namespace(text: str, cued: int,
                                                            other: int) -> None:
    # The model read the two names the other way round (a user's probe, session 46).
    n = len(split_words(normalise(text).text))
    rows = [OUT] * n
    rows[cued] = row(B_deployment=0.9)
    rows[other] = row(B_namespace=0.9)
    words = [w.text for w in split_words(normalise(text).text)]
    assert choose(text, rows, types=NAMES) == {"namespace": words[cued],
                                                "deployment": words[other]}


def test_a_name_called_a_namespace_leaves_the_deployment_slot_when_none_is_free() -> None:
    text = "show pods in the shop ns"
    rows = [OUT, OUT, OUT, OUT, row(B_deployment=0.9), OUT]
    assert choose(text, rows, types=NAMES) == {"namespace": "shop"}


def test_without_words_that_say_namespace_the_model_s_reading_stands() -> None:
    text = "payments checkout-api keeps restarting"
    rows = [row(B_deployment=0.9), row(B_namespace=0.9), OUT, OUT]
    assert choose(text, rows, types=NAMES) == {"deployment": "payments",
                                               "namespace": "checkout-api"}


@pytest.mark.parametrize("text", ["rightsize es-proxy search", "search-api search to 8",
                                  "tax-calculator billing cpu 250m"])
def test_a_second_name_right_after_the_first_is_its_namespace(text: str) -> None:
    # Terse messages name the object, then its namespace ("rightsize es-proxy search"): the
    # model tags both as deployments, the second less surely (set H, session 46).
    n = len(split_words(normalise(text).text))
    first = 1 if text.startswith("rightsize") else 0
    rows = [OUT] * n
    rows[first] = row(B_deployment=0.99)
    rows[first + 1] = row(B_deployment=0.6, B_pod=0.2, B_namespace=0.05)
    words = [w.text for w in split_words(normalise(text).text)]
    assert choose(text, rows, types=NAMES, declared={"deployment", "namespace", "pod"}) == {
        "deployment": words[first], "namespace": words[first + 1]}


def test_a_second_name_apart_from_the_first_is_no_namespace() -> None:
    text = "restart orders, payments too"
    rows = [OUT, row(B_deployment=0.99), OUT, row(B_deployment=0.6, B_namespace=0.05), OUT]
    assert choose(text, rows, types=NAMES) == {"deployment": "orders"}


@pytest.mark.parametrize(("text", "tagged"), [
    ("kubectl logs api --tail=500", {"api": "deployment", "500": "since"}),
    ("api logs, last 500", {"api": "deployment", "500": "since"}),
])
def test_a_bare_number_read_as_a_duration_is_the_count_of_lines(
        text: str, tagged: dict[str, str]) -> None:
    # A number without a unit is no duration; set H (session 46) read --tail=500 as one.
    assert choose_logs(text, tagged) == {"deployment": "api", "lines": "500"}


def test_a_number_with_its_unit_stays_a_duration() -> None:
    assert choose_logs("api logs since 500s", {"api": "deployment", "500s": "since"}) == {
        "deployment": "api", "since": "500s"}


def test_a_flag_s_dashes_do_not_hide_its_cue() -> None:
    got = choose_typed("kubectl set resources deploy api --limits=memory=1536Mi",
                       {"api": "deployment", "1536Mi": "memory_request"})
    assert got == {"deployment": "api", "memory_limit": "1536Mi"}


@pytest.mark.parametrize(("text", "value", "low", "high"), [
    ("hpa api 2-8", "2-8", "2", "8"),
    ("hpa api 3..9", "3..9", "3", "9"),
    ("hpa api 3\u201312", "3\u201312", "3", "12"),
])
def test_a_range_in_one_word_is_the_minimum_and_the_maximum(text: str, value: str,
                                                            low: str, high: str) -> None:
    got = choose_typed(text, {"api": "deployment", value: "min_replicas"})
    assert got == {"deployment": "api", "min_replicas": low, "max_replicas": high}


def test_a_range_the_wrong_way_round_is_left_as_read() -> None:
    got = choose_typed("hpa api 8-2", {"api": "deployment", "8-2": "min_replicas"})
    assert got == {"deployment": "api", "min_replicas": "8-2"}


def test_a_value_never_opens_with_an_article() -> None:
    got = choose_tagged("find containers on the latest tag in shop",
                        {"the": "B-check", "latest": "I-check", "tag": "I-check"},
                        HYGIENE, {"check": "hygiene_check", "namespace": "namespace"},
                        labels=True)
    assert got == {"check": "latest tag", "namespace": "shop"}  # "in shop": step 14


NAMED = SlotLabels(("O", "B-deployment", "I-deployment", "B-namespace", "I-namespace",
                    "B-node", "I-node"))


@pytest.mark.parametrize(("text", "namespace"), [
    # Set A: "It currently runs four replicas in discovery." (the model: O at 0.84).
    ("It runs four replicas in discovery. show the events of search-gw", "discovery"),
    ("show the events of search-gw, the one in billing", "billing"),
    ("events of search-gw -n billing", "billing"),
    # Not a word "in" is idiom with, nor one of two.
    ("show the events of search-gw in a minute", None),
    ("show the events of search-gw in grafana", None),
    ("show the events of search-gw in good shape", None),
    ("search-gw in discovery or in search: show the events", None),
])
def test_a_read_s_namespace_is_the_name_after_in(text: str, namespace: str | None) -> None:
    got = choose_tagged(text, {"search-gw": "deployment"}, NAMED, NAMES)
    assert got == {"deployment": "search-gw",
                   **({"namespace": namespace} if namespace else {})}
    # A change's is not (step 14): "in X" may be where something else runs.
    assert choose_tagged(text, {"search-gw": "deployment"}, NAMED, NAMES,
                         by_place=False) == {"deployment": "search-gw"}


@pytest.mark.parametrize(("text", "tagged", "want"), [
    ("restart api. everything in staging is fine", {"api": "deployment", "staging": "namespace"},
     {"deployment": "api"}),
    ("restart api please, nothing in staging is affected",
     {"api": "deployment", "staging": "namespace"}, {"deployment": "api"}),
    ("restart api, staging is fine", {"api": "deployment", "staging": "namespace"},
     {"deployment": "api"}),
    ("restart api except in staging", {"api": "deployment", "staging": "namespace"},
     {"deployment": "api"}),
    ("restart it in prod, api looks healthy", {"api": "deployment", "prod": "namespace"},
     {"namespace": "prod"}),
    ("cordon node-2, node-1 is fine", {"node-2": "node", "node-1": "node"},
     {"node": "node-2"}),
    # What the request itself names stays, whatever else is said.
    ("restart api in staging, it is down", {"api": "deployment", "staging": "namespace"},
     {"deployment": "api", "namespace": "staging"}),
    ("restart api in prod? staging ok?", {"api": "deployment", "prod": "namespace"},
     {"deployment": "api", "namespace": "prod"}),
    ("please restart api in prod so that it is healthy again",
     {"api": "deployment", "prod": "namespace"}, {"deployment": "api", "namespace": "prod"}),
    # A name said to be fine that took the slot leaves it empty (the bot asks), even when
    # another name could fill it: which name a clause is about may be misread.
    ("leave staging alone and restart api in prod",
     {"api": "deployment", "prod": "namespace", "staging": "namespace"},
     {"deployment": "api"}),
])
def test_a_change_is_not_made_where_all_is_said_to_be_well(
        text: str, tagged: dict[str, str], want: dict[str, str]) -> None:
    types = {**NAMES, "node": "node"}
    assert choose_tagged(text, tagged, NAMED, types, by_place=False) == want


@pytest.mark.parametrize(("text", "at", "slot"), [
    ("what's the state of deploy/imgresize in media", 6, "deployment"),
    ("describe po/api-7d9f8-x2k4l in shop", 3, "pod"),
    ("events for deployment.apps/imgresize in media", 4, "deployment"),
])
def test_kubectl_s_kind_slash_name_says_the_slot(text: str, at: int, slot: str) -> None:
    # Set A: the model left `imgresize` of "deploy/imgresize" untagged (O at 0.87).
    n = len(split_words(normalise(text).text))
    rows = [OUT] * n
    rows[at] = row(B_deployment=0.06, B_namespace=0.04)
    rows[-1] = row(B_namespace=0.99)
    words = [w.text for w in split_words(normalise(text).text)]
    assert choose(text, rows, types={**NAMES, "pod": "pod"},
                  declared={"deployment", "namespace", "pod"}) == {
        slot: words[at], "namespace": words[-1]}


def test_a_kind_the_runbook_does_not_take_says_nothing() -> None:
    text = "logs of svc/imgresize in media"
    rows = [OUT, OUT, OUT, OUT, row(B_deployment=0.06), OUT, row(B_namespace=0.99)]
    assert len(split_words(normalise(text).text)) == len(rows)
    assert choose(text, rows, types=NAMES) == {"namespace": "media"}


LOGS_C = SlotLabels(("O", "B-deployment", "I-deployment", "B-namespace", "I-namespace",
                     "B-container", "I-container", "B-pod", "I-pod"))
LOGS_C_TYPES = {"deployment": "deployment", "namespace": "namespace", "container": "container",
                "pod": "pod"}


def test_a_container_without_its_workload_is_the_workload() -> None:
    # Set H: "pull the last lines of logs from image-resizer in media" read as a container.
    got = choose_tagged("logs from image-resizer in media",
                        {"image-resizer": "container", "media": "namespace"}, LOGS_C,
                        LOGS_C_TYPES)
    assert got == {"deployment": "image-resizer", "namespace": "media"}


def test_a_container_with_no_word_for_it_is_the_missing_namespace() -> None:
    # Set H: "tail webhook-relay logs integrations last 5m".
    got = choose_tagged("tail webhook-relay logs integrations now",
                        {"webhook-relay": "deployment", "integrations": "container"}, LOGS_C,
                        LOGS_C_TYPES)
    assert got == {"deployment": "webhook-relay", "namespace": "integrations"}


@pytest.mark.parametrize("text", ["tail webhook-relay logs, container integrations",
                                  "tail webhook-relay logs -c integrations",
                                  "tail the integrations sidecar of webhook-relay"])
def test_a_container_called_so_stays(text: str) -> None:
    got = choose_tagged(text, {"webhook-relay": "deployment", "integrations": "container"},
                        LOGS_C, LOGS_C_TYPES)
    assert got == {"deployment": "webhook-relay", "container": "integrations"}


def _shaped(text: str, taken: tuple[str, ...] = ()) -> str | None:
    norm = normalise(text)
    words = split_words(norm.text)
    spans = tuple(SlotSpan("namespace", text.index(t), text.index(t) + len(t), t)
                  for t in taken)
    found = name_shaped(words, norm, text, "deployment", spans)
    return None if found is None else found.text


@pytest.mark.parametrize(("text", "name"), [
    ("what's wrong with notif-dispatcher in comms", "notif-dispatcher"),
    ("which pods belong to notif-worker in comms", "notif-worker"),
    # Hyphenated English is no name; a pod's name with its hashes is a pod's.
    ("what's been going on in comms lately, event-wise?", None),
    ("is the on-call runbook up-to-date for comms", None),
    ("polaris-style check on namespace billing", None),
    # A name ruled out is no object (a second review).
    ("show me the pods in shop, not team-risk", None),
    ("which pods are failing in shop except notif-worker", None),
    ("describe notif-worker-5d6c7b8a9-hh2rt in comms", None),
    # Two names: which one is the object is no guess to make.
    ("is notif-worker or mail-relay broken in comms", None),
])
def test_the_one_word_shaped_like_a_name_is_found(text: str, name: str | None) -> None:
    assert _shaped(text) == name


def test_a_word_a_slot_holds_is_no_name_to_find() -> None:
    assert _shaped("what's wrong in team-risk", taken=("team-risk",)) is None


def test_kind_slash_name_never_takes_a_slot_the_model_read_another_word_for() -> None:
    # An attacker review: "restart orders in shop but leave deploy/cart alone" restarted cart.
    text = "restart orders in shop but leave deploy/cart alone"
    n = len(split_words(normalise(text).text))
    rows = [OUT] * n
    rows[1] = row(B_deployment=0.95)
    rows[3] = row(B_namespace=0.99)
    rows[8] = row(B_deployment=0.6)
    assert choose(text, rows, types=NAMES, declared={"deployment", "namespace"}) == {
        "deployment": "orders", "namespace": "shop"}


@pytest.mark.parametrize("text", ["hpa api, utilisation 70-90", "hpa api to keep cpu at 40-60",
                                  "hpa api: target cpu 50-70"])
def test_a_range_of_another_quantity_is_not_split(text: str) -> None:
    value = text.rsplit(maxsplit=1)[-1]
    got = choose_typed(text, {"api": "deployment", value: "min_replicas"})
    assert got == {"deployment": "api", "min_replicas": value}


# Readings by a name's place (session 48, `intents/places.py`): steps 16-19.
DEPLOYMENT_READ = {"types": {"deployment": "deployment", "namespace": "namespace"},
                   "required": {"deployment", "namespace"}}
CRONJOB_CHANGE = {"types": {"cronjob": "cronjob", "namespace": "namespace"},
                  "required": {"cronjob", "namespace"}, "by_place": False}


@pytest.mark.parametrize(("text", "rows", "kwargs", "expected"), [
    # Step 16: a read's namespace right after its object, read `O` or as a second object.
    ("logs pls chat-relay realtime", [OUT, OUT, row(B_deployment=0.5), OUT], DEPLOYMENT_READ,
     {"deployment": "chat-relay", "namespace": "realtime"}),
    ("history of api billing to revision 3", [OUT, OUT, row(B_deployment=0.9),
                                              row(B_deployment=0.8), OUT, OUT, OUT],
     DEPLOYMENT_READ, {"deployment": "api", "namespace": "billing"}),
    # ... the wrong way round: a workload's name, then a plain word.
    ("logs bol-renderer freight", [OUT, OUT, row(B_deployment=0.9)], DEPLOYMENT_READ,
     {"deployment": "bol-renderer", "namespace": "freight"}),
    ("logs bol-renderer freight", [OUT, row(B_namespace=0.9), row(B_deployment=0.9)],
     DEPLOYMENT_READ, {"deployment": "bol-renderer", "namespace": "freight"}),
    # Step 16 for a change: the namespace right after its object (the parser marks it).
    ("pause cache-warmer search", [OUT, row(B_cronjob=0.99), OUT], CRONJOB_CHANGE | {
        "beside": True}, {"cronjob": "cache-warmer", "namespace": "search"}),
    # Step 17: a read's object right before its namespace's cue.
    ("status of imgresize (media) now", [OUT, OUT, OUT, OUT, row(B_namespace=0.9), OUT, OUT],
     DEPLOYMENT_READ, {"deployment": "imgresize", "namespace": "media"}),
    ("status of imgresize -n media", [OUT, OUT, OUT, OUT, row(B_namespace=0.9)],
     DEPLOYMENT_READ, {"deployment": "imgresize", "namespace": "media"}),
    # Step 18: a terse read names its namespace last.
    ("events customs", [OUT, OUT], {"types": {"namespace": "namespace"}},
     {"namespace": "customs"}),
    # Step 19: a read's `name.namespace`.
    ("status of imgresize.media", [OUT, OUT, OUT, OUT, OUT], DEPLOYMENT_READ,
     {"deployment": "imgresize", "namespace": "media"}),
])
def test_a_name_is_read_by_its_place(text: str, rows: list[list[float]],
                                     kwargs: dict[str, object],
                                     expected: dict[str, str]) -> None:
    assert choose(text, rows, **kwargs) == expected


@pytest.mark.parametrize(("text", "rows", "kwargs", "expected"), [
    # A change guesses no namespace by a name's place alone (session 46's attacker review):
    # "pause cache-warmer search" may name two cronjobs.
    ("pause cache-warmer search", [OUT, row(B_cronjob=0.99), row(B_cronjob=0.9)],
     CRONJOB_CHANGE, {"cronjob": "cache-warmer"}),
    ("pause cache-warmer search", [OUT, row(B_cronjob=0.99), OUT], CRONJOB_CHANGE,
     {"cronjob": "cache-warmer"}),
    ("pause search cache-warmer", [OUT, OUT, row(B_cronjob=0.99)], CRONJOB_CHANGE,
     {"cronjob": "cache-warmer"}),
    # Nor a word that is no name there, nor one followed by more words, nor a second name
    # shaped like a workload's.
    ("logs api now", [OUT, row(B_deployment=0.9), OUT], DEPLOYMENT_READ, {"deployment": "api"}),
    ("logs api gracefully", [OUT, row(B_deployment=0.9), OUT], DEPLOYMENT_READ,
     {"deployment": "api"}),
    ("logs api orders and payments", [OUT, row(B_deployment=0.9), OUT, OUT, OUT],
     DEPLOYMENT_READ, {"deployment": "api"}),
    ("logs api orders-api", [OUT, row(B_deployment=0.9), OUT], DEPLOYMENT_READ,
     {"deployment": "api"}),
    ("logs api's sidecar", [OUT, row(B_deployment=0.9), OUT], DEPLOYMENT_READ,
     {"deployment": "api's"}),
    # Step 17: no word ruled out, no other kind's name, no pronoun; not "in" for a change.
    ("pause all but nightly-export -n data", [OUT, OUT, OUT, OUT, OUT, row(B_namespace=0.9)],
     CRONJOB_CHANGE, {"namespace": "data"}),
    ("pause the job nightly-export -n data", [OUT, OUT, OUT, OUT, OUT, row(B_namespace=0.9)],
     CRONJOB_CHANGE, {"namespace": "data"}),
    ("pause it (data)", [OUT, OUT, OUT, row(B_namespace=0.9), OUT], CRONJOB_CHANGE,
     {"namespace": "data"}),
    ("pause nightly-export in data", [OUT, OUT, OUT, row(B_namespace=0.9)], CRONJOB_CHANGE,
     {"namespace": "data"}),
    # Steps 17 and 19 are for reads: in a change the name is as often the one left alone
    # (session 48's attacker review).
    ("pause nightly-export (data) now", [OUT, OUT, OUT, row(B_namespace=0.9), OUT, OUT],
     CRONJOB_CHANGE, {"namespace": "data"}),
    ("pause nightly-export.data", [OUT, OUT, OUT, OUT], CRONJOB_CHANGE, {}),
    # Nor step 16 for a change after words that pick among many; the name they leave out
    # is no target at all (step 15).
    ("pause the others too, cache-warmer search", [OUT, OUT, OUT, OUT, OUT,
                                                    row(B_cronjob=0.99), OUT],
     CRONJOB_CHANGE | {"beside": True}, {"cronjob": "cache-warmer"}),
    ("pause all but cache-warmer search", [OUT, OUT, OUT, row(B_cronjob=0.99), OUT],
     CRONJOB_CHANGE | {"beside": True}, {}),
    # Step 18: not when another word could be the namespace, nor in a change.
    ("events customs billing", [OUT, OUT, OUT], {"types": {"namespace": "namespace"}}, {}),
    ("show pods", [OUT, OUT], {"types": {"namespace": "namespace"}}, {}),
    ("pause data", [OUT, OUT], CRONJOB_CHANGE, {}),
])
def test_no_name_is_read_by_a_place_that_does_not_say_it(
        text: str, rows: list[list[float]], kwargs: dict[str, object],
        expected: dict[str, str]) -> None:
    assert choose(text, rows, **kwargs) == expected
