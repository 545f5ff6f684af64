"""Dev passes batch messages of similar length together (padding to the longest message of
a batch made one long message cost a whole batch); every answer must still go back to its
own message."""

from __future__ import annotations

import pytest

from finetune.data import Sample
from finetune.evaluate import length_chunks

TEXTS = [
    "restart checkout",
    "hi team, payments has been crash looping since the deploy an hour ago and nobody "
    "knows why, can someone check the pods in prod please",
    "scale api to 3",
    "logs of web",
    "what is wrong with the billing service in the billing namespace, it keeps timing out",
    "drain node-7",
]


def test_chunks_cover_every_index_once_shortest_first() -> None:
    lengths = [5, 40, 3, 40, 1, 7, 7]
    chunks = length_chunks(lengths, 3)
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert sorted(i for c in chunks for i in c) == list(range(len(lengths)))
    flat = [lengths[i] for c in chunks for i in c]
    assert flat == sorted(lengths)
    assert length_chunks([], 4) == []


@pytest.mark.train
def test_torch_predictions_come_back_in_input_order() -> None:
    """A stand-in network whose answer depends only on each message's own length and
    positions, so the expected output is known without any batching."""
    torch = pytest.importorskip("torch")
    from finetune.model import pretrained_encoder_path
    from finetune.train import torch_predictor
    from intents.encoding import encode_words, load_tokenizer

    intents = [f"i{n}" for n in range(7)]
    slots = ["O", "B-a", "I-a", "B-b", "I-b"]

    class LengthNet(torch.nn.Module):
        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
            length = mask.sum(1)
            intent = torch.nn.functional.one_hot(length % len(intents), len(intents))
            positions = torch.arange(ids.shape[1]).expand_as(ids)
            tags = torch.nn.functional.one_hot((positions + length[:, None]) % len(slots),
                                               len(slots))
            return intent.float(), tags.float()

    tokenizer = load_tokenizer(str(pretrained_encoder_path() / "tokenizer.json"))
    samples = [Sample(tuple(t.split()), ("O",) * len(t.split()), "i0") for t in TEXTS]
    expected_intents, expected_tags = [], []
    for sample in samples:
        encoded = encode_words(tokenizer, sample.words)
        length = len(encoded.input_ids)
        expected_intents.append(intents[length % len(intents)])
        expected_tags.append([slots[(pos + length) % len(slots)] if pos >= 0 else "O"
                              for pos in encoded.first_token])
    predict = torch_predictor(LengthNet(), tokenizer, intents, slots, batch_size=2)
    assert predict(samples) == (expected_intents, expected_tags)
    # Not trivially so: the messages differ in length, so the batches were reordered.
    assert len(set(expected_intents)) > 2
