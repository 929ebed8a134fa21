#!/usr/bin/env bash
# Packs serving-runtime and the runtime benchmark for a GPU machine that has no .NET and no network, and documents
# the device side. Two steps:
#
#   loadtests/gpu/run-gpu-check.sh pack [DEST]   (here) builds Release, stages a folder with the .NET runtime, both
#       build outputs (linux-x64 natives only, without ORT's CUDA provider), wrk and the scripts, tar | zstd --long;
#       the CUDA provider is compressed on its own (cached under .cache/gpu); both are split into 60 MiB parts under
#       DEST/p1, DEST/p2, ... (default DEST: .gpu at the repository root; add
#       /.gpu/ to .git/info/exclude). p1 also holds the zstd binary, the last part SHA256SUMS and device-run.sh.
#   loadtests/gpu/device-run.sh PARTS_DIR OUT_DIR   (on the GPU machine) checks SHA256SUMS, unpacks, exports
#       ResNet-50 to ONNX, runs check-outputs.py (CUDA vs CPU) and `serving-loadtests runtime --device cuda`.
#
# Copy each part folder to the GPU machine's PARTS_DIR (the device tool carries at most 64 MiB per call, so one
# part per call, back to back while the machine stays warm); the last call runs device-run.sh. See
# loadtests/reports/gpu.md for the exact calls and the results.
set -euo pipefail
cd "$(dirname "$0")/../.."
step=${1:-}
dest=${2:-.gpu}
[ "$step" = pack ] || { sed -n '2,15p' "$0"; exit 2; }

ort_native=$HOME/.nuget/packages/microsoft.ml.onnxruntime.gpu.linux/1.31.0/runtimes/linux-x64/native
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

dotnet build runtime/Serving.Runtime.Host -c Release -nologo -v quiet
dotnet build loadtests/Serving.LoadTests -c Release -nologo -v quiet

app=$stage/app
mkdir -p "$app/dotnet" "$app/tools" "$app/scripts"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$app/dotnet/"
mkdir -p "$app/dotnet/shared"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$app/dotnet/shared/"
for out in runtime/Serving.Runtime.Host/bin/Release/net10.0 loadtests/Serving.LoadTests/bin/Release/net10.0; do
  mkdir -p "$app/$out"
  # Other platforms' natives and the CUDA/TensorRT providers stay behind (the CUDA one travels once, below).
  tar -C "$out" -c --exclude='./runtimes/*' . | tar -C "$app/$out" -x
  mkdir -p "$app/$out/runtimes/linux-x64/native"
  cp "$out"/runtimes/linux-x64/native/*.so "$app/$out/runtimes/linux-x64/native/"
  rm -f "$app/$out"/runtimes/linux-x64/native/libonnxruntime_providers_{cuda,tensorrt}.so
done
cp loadtests/gpu/*.py loadtests/gpu/device-run.sh "$app/scripts/"

# wrk (Debian package and its LuaJIT), unpacked; the device image has libssl3.
debs=$stage/debs
mkdir -p "$debs"
(cd "$debs" && apt-get download wrk libluajit-5.1-2 >/dev/null 2>&1)
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$stage/root"; done
cp "$stage/root/usr/bin/wrk" "$app/tools/"
cp -a "$stage"/root/usr/lib/x86_64-linux-gnu/libluajit-5.1.so.2* "$app/tools/"

rm -rf "$dest"/p[0-9]*
mkdir -p "$dest/parts" .cache/gpu
# The CUDA provider (~284 MB, ~186 MB compressed: its kernels are already compressed) changes only with the ORT
# version, so it is compressed once and cached; the app archive is remade each time.
provider=.cache/gpu/libonnxruntime_providers_cuda.so.zst
if [ ! -f "$provider" ] || ! zstd -d --long=30 -q -c "$provider" | cmp -s - "$ort_native/libonnxruntime_providers_cuda.so"; then
  zstd -19 --long=30 -T0 -q -f "$ort_native/libonnxruntime_providers_cuda.so" -o "$provider"
fi
split -b 60M -d -a 1 "$provider" "$dest/parts/provider.zst."
tar -C "$stage" -c app | zstd -19 --long=30 -T0 -q -o "$stage/app.tar.zst"
split -b 60M -d -a 1 "$stage/app.tar.zst" "$dest/parts/app.tar.zst."
n=0
for part in "$dest"/parts/provider.zst.* "$dest"/parts/app.tar.zst.*; do
  n=$((n + 1))
  mkdir -p "$dest/p$n"
  mv "$part" "$dest/p$n/"
done
rmdir "$dest/parts"
cp "$(command -v zstd)" "$dest/p1/"
(cd "$dest" && sha256sum p*/*.zst.* | sed 's| p[0-9]*/| |' > "p$n/SHA256SUMS")
cp loadtests/gpu/device-run.sh "$dest/p$n/"  # the last call runs it from the parts folder, before anything is unpacked
du -sh "$dest"/p*
