"""The shipped model's training recipe, where `chatops nlu train` and the recipe benches
(`bench/nlu_seeds.py`) take their defaults from, so that a retrain or a seed study with no
options trains what ships. The generator's own defaults (`GenerationConfig`: one round, no
talk) stay small for tests and studies; a test holds these to the shipped `meta.json`.

No imports: the CLI reads it at start-up, before it knows whether training is installed.
"""

ROUNDS = 3
"""Draws of the training data, each with new names, paraphrases and noise."""
EPOCHS = 1.0
"""Passes over the drawn data (3 rounds x 1 epoch: the steps of 3 epochs)."""
TALK = 2400
"""Talk around changes per round (`finetune/talk.py`), with as many requests around such
talk; chosen by rule 5 in BENCHMARKS.md, "pricing the trade"."""
