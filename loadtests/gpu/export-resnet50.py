"""Exports torchvision's ResNet-50 to ONNX with a dynamic batch axis (opset 17) for the GPU check.

The device has no internet, so the weights are torchvision's seeded random initialisation unless a checkpoint is
already in the torch hub cache; the check compares CUDA against CPU on the same model, so either serves.
Usage: python3 export-resnet50.py OUT_DIR   (writes OUT_DIR/model.onnx)
"""
import os
import sys
import time

import torch
import torchvision

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
torch.manual_seed(20240601)
try:
    model = torchvision.models.resnet50(weights=torchvision.models.ResNet50_Weights.IMAGENET1K_V2)
    weights = "IMAGENET1K_V2"
except Exception as e:  # no internet and no cached checkpoint
    print(f"pretrained weights unavailable ({type(e).__name__}); using seeded random initialisation", flush=True)
    model = torchvision.models.resnet50(weights=None)
    weights = "random (seed 20240601)"
model.eval()
x = torch.randn(2, 3, 224, 224)
path = os.path.join(out_dir, "model.onnx")
start = time.time()
torch.onnx.export(
    model, (x,), path, input_names=["input"], output_names=["logits"],
    dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False)
print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB, weights {weights}, torch {torch.__version__}, "
      f"torchvision {torchvision.__version__}) in {time.time() - start:.1f} s", flush=True)
