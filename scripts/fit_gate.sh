#!/usr/bin/env bash
# Refit the ranker and the answer gate (knowledge/gate_params.json) on the labelled question sets.
# The development articles (seeds/ plus tests/data/multidoc/seeds) are indexed together, as in use.
# tests/data/qa_holdout3.jsonl, tests/data/holdout7/ and tests/data/holdout8/ are never fitted on: they measure
# unseen questions and articles.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp seeds/*.md tests/data/multidoc/seeds/*.md "$corpus"/
files=(tests/data/qa_dev.jsonl tests/data/qa_extra.jsonl tests/data/qa_holdout.jsonl tests/data/qa_holdout2.jsonl
       tests/data/multidoc/qa_multidoc.jsonl)
# The default (knowledge/gate_params.json), then the variant with latent terms (gate_params_latent.json).
python -m knowledge.gate_fit --seeds "$corpus" "${files[@]}" "$@"
python -m knowledge.gate_fit --seeds "$corpus" --latent-terms "${files[@]}" "$@"
