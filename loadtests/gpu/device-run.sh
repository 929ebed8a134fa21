#!/usr/bin/env bash
# Runs on the GPU machine (no .NET, no network): checks and unpacks the parts made by `run-gpu-check.sh pack`,
# exports ResNet-50, checks CUDA outputs against CPU, and benchmarks serving-runtime on CUDA against in-process
# ONNX Runtime CUDA. Usage: device-run.sh PARTS_DIR OUT_DIR [extra serving-loadtests runtime options]
set -euo pipefail
parts=$(readlink -f "$1")
out=$(readlink -f "$2")
shift 2
base=/root/gpu
mkdir -p "$base" "$out"

cd "$parts"
sha256sum -c SHA256SUMS
chmod +x zstd
rm -rf "$base/app"
cat $(ls app.tar.zst.* | sort -t. -k4 -n) | ./zstd -d --long=30 -q | tar -C "$base" -x
app=$base/app
mkdir -p "$app/provider"
cat $(ls provider.zst.* | sort -t. -k3 -n) | ./zstd -d --long=30 -q -o "$app/provider/libonnxruntime_providers_cuda.so"
for native in "$app"/runtime/Serving.Runtime.Host/bin/Release/net10.0/runtimes/linux-x64/native \
              "$app"/loadtests/Serving.LoadTests/bin/Release/net10.0/runtimes/linux-x64/native; do
  ln -f "$app/provider/libonnxruntime_providers_cuda.so" "$native/"
done

# CUDA 13 and cuDNN 9 from the image's Python wheels (the ones PyTorch uses).
nv=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])')
export LD_LIBRARY_PATH="$app/tools:$nv/cu13/lib:$nv/cudnn/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_ROOT=$app/dotnet
export PATH="$DOTNET_ROOT:$app/tools:$PATH"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 PYTHONUNBUFFERED=1

{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  grep -m1 'model name' /proc/cpuinfo; nproc; . /etc/os-release; echo "$PRETTY_NAME"
  echo "cudnn: $(ls "$nv"/cudnn/lib/libcudnn.so.*)"; ls "$nv"/cu13/lib | grep -E 'cudart|cublas|curand|cufft'
  python3 -m pip show torch torchvision onnxruntime 2>/dev/null | grep -E '^(Name|Version)'
  dotnet --list-runtimes; wrk -v 2>&1 | head -1 || true
} > "$out/env.txt" 2>&1
cat "$out/env.txt"

model_dir=$base/models/resnet50
[ -f "$model_dir/model.onnx" ] || python3 "$app/scripts/export-resnet50.py" "$model_dir"

server_dll=$app/runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll
mkdir -p "$base/check"
status=0
python3 "$app/scripts/check-outputs.py" --dll "$server_dll" --model-dir "$model_dir" --model-name resnet50 \
  --out "$out/check.json" --log-dir "$base/check" 2>&1 | tee "$out/check.log" || status=1

nvidia-smi dmon -s um -d 1 > "$base/dmon.txt" 2>&1 &
dmon=$!
cd "$app"
dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll runtime \
  --model "$model_dir/model.onnx" --model-name resnet50 --device cuda --server-dll "$server_dll" \
  --output "$out/gpu-runtime.md" --work-dir "$base/results" --no-plot "$@" 2>&1 | tee "$out/bench.log" || status=1
kill "$dmon" || true
(cd "$base" && tar -czf "$out/logs.tgz" dmon.txt results/*.log check) || true
exit $status
