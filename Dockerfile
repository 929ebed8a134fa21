# The platform's images, one target each, built from the repository root:
#   docker build --target controller   -t REGISTRY/serving-platform/serving-controller:TAG .
#   docker build --target gateway      -t REGISTRY/serving-platform/serving-gateway:TAG .
#   docker build --target scaler       -t REGISTRY/serving-platform/serving-scaler:TAG .
#   docker build --target runtime      -t REGISTRY/serving-platform/serving-runtime:TAG .
#   docker build --target runtime-cuda -t REGISTRY/serving-platform/serving-runtime:TAG-cuda .
# Framework-dependent `dotnet publish` output (each app is {name}.dll in /app) on Microsoft's ASP.NET 10 images, run as
# user 1654 (the images' `app` user, which the chart's security context names). Not built in this repository's CI:
# the machines it is developed on have no Docker engine.
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS services-build
WORKDIR /src
COPY . .
RUN dotnet publish controller/Serving.Controller.Kubernetes.Host -c Release -o /out/controller --nologo \
 && dotnet publish gateway/Serving.Gateway.Host -c Release -o /out/gateway --nologo \
 && dotnet publish scaler/Serving.Scaler.Host -c Release -o /out/scaler --nologo

# Chiseled: no shell, no package manager, non-root by default.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS controller
WORKDIR /app
COPY --from=services-build /out/controller .
USER 1654
ENTRYPOINT ["dotnet", "/app/serving-controller.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS gateway
WORKDIR /app
COPY --from=services-build /out/gateway .
USER 1654
ENTRYPOINT ["dotnet", "/app/serving-gateway.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS scaler
WORKDIR /app
COPY --from=services-build /out/scaler .
USER 1654
ENTRYPOINT ["dotnet", "/app/serving-scaler.dll"]

# The runtime: the ONNX model server and, with the arguments `storage-initializer SRC DEST`, KServe's model download
# init container (one image for both). ClusterServingRuntime containers give only args, so the entrypoint is the app.
# linux-x64 puts ONNX Runtime's native libraries beside it.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS runtime-build
WORKDIR /src
COPY . .
RUN dotnet publish runtime/Serving.Runtime.Host -c Release -r linux-x64 --self-contained false -o /out/runtime --nologo

# CPU: Ubuntu rather than chiseled (ONNX Runtime's library needs more of the C++ runtime than .NET does). The package is
# ONNX Runtime's GPU build; its CUDA and TensorRT providers (hundreds of MB) are left out: --device auto runs on the CPU.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app
COPY --from=runtime-build /out/runtime .
RUN rm -f libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so
USER 1654
ENTRYPOINT ["dotnet", "/app/serving-runtime.dll"]

# CUDA: NVIDIA's CUDA 13 + cuDNN 9 runtime (what Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31 was measured with,
# loadtests/reports/gpu.md) with the .NET runtime copied in; the base tag is unverified here (--build-arg CUDA_IMAGE=...).
# Pods ask for nvidia.com/gpu; --device auto (the default) then runs on CUDA. The chart's runtime.image.variant=cuda
# adds the tag suffix -cuda.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS dotnet-runtime
FROM ${CUDA_IMAGE} AS runtime-cuda
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \
    PATH=/usr/share/dotnet:$PATH \
    DOTNET_RUNNING_IN_CONTAINER=true
RUN groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home app
WORKDIR /app
COPY --from=runtime-build /out/runtime .
USER 1654
ENTRYPOINT ["dotnet", "/app/serving-runtime.dll"]
