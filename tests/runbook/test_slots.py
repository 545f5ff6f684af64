from __future__ import annotations

import pytest

from chatops.errors import SlotError
from chatops.runbook.slots import (
    Bounds,
    ReplicaExpr,
    counted_replicas,
    directed_replicas,
    parse_slot,
    resolve_replicas,
)

HOSTILE = [
    "checkout\n  replicas: 100",
    "{{ 7*7 }}",
    "{% for %}",
    "x; rm -rf /",
    "a" * 300,
    "../etc",
    "",
    "   ",
    "Checkout_API",
    "$(whoami)",
    "checkout\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("slot_type", ["deployment", "namespace", "pod", "node", "cronjob"])
def test_hostile_names_are_refused(slot_type: str, value: str) -> None:
    with pytest.raises(SlotError) as info:
        parse_slot(slot_type, slot_type, value)
    assert info.value.slot == slot_type
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    ("slot_type", "value", "expected"),
    [
        ("deployment", "checkout-api", "checkout-api"),
        ("deployment", " Checkout ", "checkout"),
        ("pod", "checkout-api-7d9f8b6c5-x2kqp", "checkout-api-7d9f8b6c5-x2kqp"),
        ("node", "ip-10-0-1-23.ec2.internal", "ip-10-0-1-23.ec2.internal"),
        ("duration", "10m", 600),
        ("duration", "1h30m", 5400),
        ("duration", "2 hours", 7200),
        ("image", "1.22", "1.22"),
        # A commit's or build's tag, bare (a user trial: "pin search-indexer to sha-abc123").
        ("image", "sha-abc123", "sha-abc123"),
        ("image", "git-3f9c2d1", "git-3f9c2d1"),
        ("image", "build-1234", "build-1234"),
        ("image", "ghcr.io/acme/api:v2.3.1", "ghcr.io/acme/api:v2.3.1"),
        ("image", "localhost:5000/team/app@sha256:" + "a" * 64, "localhost:5000/team/app@sha256:" + "a" * 64),
        ("lines", "200", 200),
    ],
)
def test_valid_values_are_typed(slot_type: str, value: str, expected: object) -> None:
    assert parse_slot("s", slot_type, value, Bounds(0, 100000)) == expected


@pytest.mark.parametrize("value", ["nginx", "nginx:", "ngINX:1.2", "a b:1", "{{x}}:1", ":1.2",
                                   "sha-abcdef", "builder"])
def test_bad_images_are_refused(value: str) -> None:
    with pytest.raises(SlotError):
        parse_slot("image", "image", value)


def test_cronjob_names_are_limited_to_52_characters() -> None:
    parse_slot("cronjob", "cronjob", "c" * 52)
    with pytest.raises(SlotError):
        parse_slot("cronjob", "cronjob", "c" * 53)


@pytest.mark.parametrize(
    ("text", "current", "target"),
    [
        ("5", 2, 5),
        ("+2", 3, 5),
        ("-1", 3, 2),
        ("2 more", 3, 5),
        ("1 fewer", 3, 2),
        ("down by 2", 4, 2),
        ("up by 2", 4, 6),
        ("by 50%", 4, 6),
        ("up by 50%", 3, 5),
        ("-25%", 4, 3),
        ("double", 3, 6),
        ("half", 5, 3),
        # Numbers in words (a user trial: "one more replica" was "not a replica count").
        ("five", 2, 5),
        ("one more", 2, 3),
        ("two fewer", 5, 3),
        ("up by three", 2, 5),
        ("down by one", 3, 2),
        ("Twelve", 2, 12),
    ],
)
def test_replica_expressions_resolve_against_the_current_count(
    text: str, current: int, target: int
) -> None:
    bounds = Bounds(0, 50)
    expr = parse_slot("replicas", "replicas", text, bounds)
    assert isinstance(expr, ReplicaExpr)
    assert resolve_replicas("replicas", expr, current, bounds) == target


@pytest.mark.parametrize("text", ["50%", "by 2", "lots", "5.5", "1e3", "--3", "by one",
                                  "a few more", "one two"])
def test_ambiguous_replica_expressions_are_refused(text: str) -> None:
    with pytest.raises(SlotError):
        parse_slot("replicas", "replicas", text, Bounds(0, 50))


@pytest.mark.parametrize(("raw", "text", "directed"), [
    ("by 50%", "reduce checkout-api in prod by 50%", "down by 50%"),
    ("by 2", "cut the checkout-api replicas in prod by 2", "down by 2"),
    ("by 2", "bump worker by 2", "up by 2"),
    ("by 1", "lower the replicas of checkout-api in prod by 1", "down by 1"),
    ("By 25%", "Scale DOWN cart By 25%", "down by 25%"),
    ("by 2", "checkout is down, scale it up by 2", "up by 2"),
    ("by 3", "we have too many pods, can you bring search down by 3 please", "down by 3"),
    ("by 2", "increase the worker deployment's pod count by 2", "up by 2"),
    ("by 30%", "shrink web-frontend in staging by 30%", "down by 30%"),
    ("by one", "reduce checkout-api in prod by one", "down by one"),
    # no direction word before the value: left as it was (a bare "by 2" is then refused)
    ("by 2", "scale checkout-api in prod by 2", "by 2"),
    ('by 50%', 'run scale_deployment deployment=x replicas="by 50%"', "by 50%"),
    # already directed, or not a "by" at all: never touched
    ("down by 2", "bump it, no, down by 2", "down by 2"),
    ("5", "reduce checkout to 5", "5"),
    ("by 2", "by 2", "by 2"),
    # An attacker review: names, states, other clauses and sentences say nothing.
    ("by 2", "scale down sign-up-api in prod by 2", "down by 2"),
    ("by 50%", "reduce sign-up-api in prod by 50%", "down by 50%"),
    ("by 2", "shrink the add-ons-api in prod by 2", "down by 2"),
    ("by 2", "scale up checkout-api in prod by 2; last week we had to reduce it by 25%",
     "up by 2"),
    ("by 2", "scale up checkout-api in prod by 2, we had to cut it by 20 last week",
     "up by 2"),
    ("by 2", "checkout-api in prod is down, scale it by 2", "by 2"),
    ("by 50%", "checkout-api in prod is down so scale it by 50%", "by 50%"),
    ("by 2", "We scaled checkout-api down yesterday. Now scale checkout-api in prod by 2",
     "by 2"),
    ("by 2", "scale checkout-api in prod down by 2", "down by 2"),
    ("by 2", "scale it by 2 and then by 2 again", "by 2"),  # twice: not read
])
def test_a_bare_by_takes_its_direction_from_its_own_clause(
        raw: str, text: str, directed: str) -> None:
    assert directed_replicas(raw, text, ("checkout-api", "prod")) == directed


def test_the_requests_own_names_say_no_direction() -> None:
    # a deployment called "lower", or "cut"
    assert directed_replicas("by 2", "scale lower by 2", ("lower",)) == "by 2"
    assert directed_replicas("by 2", "please cut in prod by 2", ("cut", "prod")) == "by 2"
    # and a correction in its own clause is the order
    assert directed_replicas("by 2", "increase checkout-api, no, reduce it by 2") == "down by 2"


@pytest.mark.parametrize("text", [
    "raise or lower checkout-api by 2",
    "bump checkout-api and cut it by 2",
])
def test_a_clause_that_says_both_directions_is_refused(text: str) -> None:
    with pytest.raises(SlotError, match="both up and down"):
        directed_replicas("by 2", text)


def test_replica_bounds_apply_before_and_after_resolution() -> None:
    bounds = Bounds(0, 50)
    with pytest.raises(SlotError, match="above the maximum"):
        parse_slot("replicas", "replicas", "100000", bounds)
    expr = parse_slot("replicas", "replicas", "-3", bounds)
    assert isinstance(expr, ReplicaExpr)
    with pytest.raises(SlotError, match="would be -1"):
        resolve_replicas("replicas", expr, 2, bounds)
    with pytest.raises(SlotError, match="current count"):
        resolve_replicas("replicas", expr, None, bounds)
    big = parse_slot("replicas", "replicas", "double", bounds)
    assert isinstance(big, ReplicaExpr)
    with pytest.raises(SlotError, match="above the maximum"):
        resolve_replicas("replicas", big, 30, bounds)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30 minutes", 1800), ("15 mins", 900), ("15m", 900), ("2 hrs", 7200),
        ("1 hour", 3600), ("an hour", 3600), ("a day", 86400), ("one minute", 60),
        ("hour", 3600), ("day", 86400), ("90 seconds", 90),
        # A user trial: "logs since 1 week" was "'1' is not a duration".
        ("1 week", 604800), ("a week", 604800), ("1w", 604800), ("week", 604800),
        ("1 wk", 604800),
    ],
)
def test_durations_as_people_write_them(value: str, expected: int) -> None:
    assert parse_slot("since", "duration", value, Bounds(1, 604800)) == expected


@pytest.mark.parametrize("value", ["a while", "hours", "an", "last hour", "a couple of hours"])
def test_vague_durations_are_refused(value: str) -> None:
    with pytest.raises(SlotError):
        parse_slot("since", "duration", value, Bounds(1, 604800))


@pytest.mark.parametrize(("raw", "text", "counted"), [
    # A count added or taken away, the model spanning the number alone (a user trial:
    # "add 1 replica to api" planned 1 replica, "remove 2 replicas" planned 2).
    ("1", "add 1 replica to api in trial34", "+1"),
    ("2", "remove 2 replicas from api in trial34", "-2"),
    ("one", "take one replica away from api in trial34", "-one"),
    ("3", "please add 3 more pods to checkout-api", "+3"),
    ("2", "kill 2 of the api pods in trial34 for good, scale it", "2"),  # no replica noun
    ("1", "drop 1 replica from api", "-1"),
    # A value cut short: the number the model left out is taken from its place.
    ("down by", "scale deploy/api down by one in trial34 pls", "down by one"),
    ("up by", "scale api up by 2 in trial34", "up by 2"),
    ("more", "api in trial34 needs one more pod", "one more"),
    ("more", "api in trial34 needs 2 more pods", "2 more"),
    # To a count, or a count said another way: never touched.
    ("1", "scale api in trial34 to 1 replica", "1"),
    ("one", "drop api in trial34 to one replica", "one"),
    ("2", "give api 2 replicas", "2"),
    ("2", "cut api down to 2 replicas", "2"),
    ("2", "add api to the list and scale it to 2", "2"),
    ("down by", "scale api down by a lot", "down by"),
    # An attacker review: a number the model spans alone after "by", "up" or "down".
    ("one", "scale api in prod up by one", "up by one"),
    ("one", "scale up api in prod by one", "by one"),
    ("one", "bump api in prod up by one replica", "up by one"),
    ("one", "scale api in prod down by one pod", "down by one"),
    ("one", "bring api in prod down one replica", "down by one"),
    ("2", "scale api up 2 replicas", "up by 2"),
    # ... and a verb in another clause says nothing of it.
    ("6", "add capacity, 6 replicas for api in prod", "6"),
])
def test_a_count_added_or_taken_away_is_a_change_of_the_count(
        raw: str, text: str, counted: str) -> None:
    assert counted_replicas(raw, text, ("api", "trial34", "checkout-api")) == counted


@pytest.mark.parametrize("text", [
    # An attacker review: a count said twice, or changed twice, was read as the count.
    "add 3 replicas to api in prod, we had 3 replicas yesterday",
    "add 1 replica to api in prod, it has 1 replica per zone",
    "add 3 replicas to api, no, scale it to 3",
    "remove the 2 extra pods from api and add 3 replicas",
])
def test_a_count_change_that_is_not_the_only_reading_is_refused(text: str) -> None:
    value = "3" if "3" in text else "1"
    with pytest.raises(SlotError):
        counted_replicas(value, text, ("api", "prod"))


@pytest.mark.parametrize(("value", "text"), [
    # A second attacker review: "down" as a state next to the count, a direction elsewhere.
    ("2", "checkout-api in prod is down 2 pods, scale it up"),
    ("2", "we are down 2 replicas on checkout-api in prod, scale it up"),
    ("1", "scale checkout-api in prod, it is down 1 replica"),
    ("1", "checkout-api in prod is down to 1 pod, scale it up by 2"),
])
def test_a_count_beside_a_direction_it_does_not_take_is_refused(value: str, text: str) -> None:
    with pytest.raises(SlotError):
        counted_replicas(value, text, ("checkout-api", "prod"))


def test_a_count_that_is_also_a_name_is_refused() -> None:
    with pytest.raises(SlotError):
        counted_replicas("one", "add one replica to one", ("one",))
