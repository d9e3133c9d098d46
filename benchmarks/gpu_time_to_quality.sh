#!/usr/bin/env bash
# Gatys on a GPU: time to the TensorFlow tutorial's final loss at 512 px, XLA off and on.
#
# One prepared run for a lent GPU machine (a few minutes on a data-centre GPU): the tutorial
# recipe (also XLA-compiled), then stlib's routes with and without XLA. Prints JSON (also
# written to $OUT/gpu_time_to_quality.json when OUT is set). Run from the repository root, with
# the weights and samples offline if the machine has no internet:
#   STLIB_MODELS_DIR=../shared/models STLIB_DATA_DIR=../shared/images \
#       bash benchmarks/gpu_time_to_quality.sh
set -euo pipefail
PYTHON=${PYTHON:-python}
out=${OUT:-.}/gpu_time_to_quality.json
"$PYTHON" -c "import tensorflow as tf; gpus = tf.config.list_physical_devices('GPU'); \
print('GPUs:', gpus) if gpus else exit('no GPU visible to TensorFlow: this script measures a GPU')"
exec "$PYTHON" benchmarks/gatys_time_to_quality.py --size 512 --tutorial-xla --profile \
    --routes adam,adam-xla,adam-bf16,lbfgs,lbfgs-tf,lbfgs-tf-xla,lbfgs-tf-bf16,lbfgs-tf-bf16-xla \
    --max-steps 1200 --out "$out"
