#!/usr/bin/env bash
# Refit the ranker and the answer gate (knowledge/gate_params.json) on the labelled question sets.
# Each set is asked of the articles it was written for, indexed together as in use:
#   development: seeds/ + tests/data/multidoc/seeds (qa_dev, qa_extra, qa_holdout, qa_holdout2, multidoc)
#   holdout7:    the same + tests/data/holdout7/seeds
#   holdout8:    seeds/ + tests/data/holdout8/seeds
# tests/data/qa_holdout3.jsonl and tests/data/holdout9/ are never fitted on: they measure unseen
# questions and articles.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/dev" "$work/h7" "$work/h8"
cp seeds/*.md tests/data/multidoc/seeds/*.md "$work/dev"/
cp seeds/*.md tests/data/multidoc/seeds/*.md tests/data/holdout7/seeds/*.md "$work/h7"/
cp seeds/*.md tests/data/holdout8/seeds/*.md "$work/h8"/
corpora=(--corpus "$work/dev" tests/data/qa_dev.jsonl tests/data/qa_extra.jsonl tests/data/qa_holdout.jsonl
           tests/data/qa_holdout2.jsonl tests/data/multidoc/qa_multidoc.jsonl
         --corpus "$work/h7" tests/data/holdout7/qa_holdout7.jsonl
         --corpus "$work/h8" tests/data/holdout8/qa_holdout8.jsonl)
# The default (knowledge/gate_params.json), then the variant with latent terms (gate_params_latent.json).
python -m knowledge.gate_fit "${corpora[@]}" "$@"
python -m knowledge.gate_fit --latent-terms "${corpora[@]}" "$@"
