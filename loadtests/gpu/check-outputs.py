"""Correctness check of serving-runtime on CUDA: the same build started with --device cuda, --device cpu and
--device auto on one model; fresh random inputs sent over V2 (binary tensor extension and JSON) to each; outputs
compared with each other and with the python onnxruntime (CPU) as an independent reference.

Usage: python3 check-outputs.py --dll serving-runtime.dll --model-dir DIR --model-name NAME --out result.json [--log-dir DIR]
Exits 1 when a check fails (a tolerance, a device line, an error status), 0 otherwise. Uses numpy, requests and
onnxruntime only (all on the device image).
"""
import argparse
import concurrent.futures
import json
import os
import socket
import struct
import subprocess
import sys
import time

import numpy as np
import requests

try:
    import onnxruntime
except ImportError:  # the device has it; without it the independent-reference checks are skipped (and say so)
    onnxruntime = None

REL_L2_TOL = 1e-2  # CUDA (TF32 convolutions by default) against CPU FP32
BIN_JSON_TOL = 1e-6  # the same server, binary against JSON: JSON numbers are shortest round-trip floats


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, label, dll, model_dir, name, device, log_dir, extra=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(log_dir, f"server-{label}.log")
        self.log = open(self.log_path, "w")
        args = ["dotnet", dll, "--model-dir", model_dir, "--model-name", name, "--http-port", str(self.port),
                "--device", device, *extra]
        self.started = time.time()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.ready_s = None
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server --device {device} exited {self.proc.returncode}: {self.text()[-2000:]}")
            try:
                if requests.get(self.base + "/v2/health/ready", timeout=2).status_code == 200:
                    self.ready_s = time.time() - self.started
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server --device {device} not ready in 120 s: {self.text()[-2000:]}")

    def text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "killed"
        self.log.close()
        return code


def infer_binary(base, name, input_name, x):
    header = json.dumps({"inputs": [{"name": input_name, "shape": list(x.shape), "datatype": "FP32",
                                     "parameters": {"binary_data_size": x.nbytes}}],
                         "parameters": {"binary_data_output": True}}).encode()
    r = requests.post(f"{base}/v2/models/{name}/infer", data=header + x.astype("<f4").tobytes(),
                      headers={"Content-Type": "application/octet-stream",
                               "Inference-Header-Content-Length": str(len(header))}, timeout=120)
    if r.status_code != 200:
        raise RuntimeError(f"binary infer {r.status_code}: {r.text[:500]}")
    n = int(r.headers["Inference-Header-Content-Length"])
    meta = json.loads(r.content[:n])
    out = meta["outputs"][0]
    size = out["parameters"]["binary_data_size"]
    assert out["datatype"] == "FP32", out
    return np.frombuffer(r.content[n:n + size], dtype="<f4").reshape(out["shape"])


def infer_json(base, name, input_name, x):
    body = {"inputs": [{"name": input_name, "shape": list(x.shape), "datatype": "FP32", "data": x.ravel().tolist()}]}
    r = requests.post(f"{base}/v2/models/{name}/infer", json=body, timeout=120)
    if r.status_code != 200:
        raise RuntimeError(f"json infer {r.status_code}: {r.text[:500]}")
    out = r.json()["outputs"][0]
    return np.asarray(out["data"], dtype=np.float32).reshape(out["shape"])


def rel_l2(a, ref):
    return float(np.linalg.norm((a - ref).ravel().astype(np.float64)) / np.linalg.norm(ref.ravel().astype(np.float64)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dll", required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--model-name", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--row-shape", help="input shape past the batch, e.g. 3,48,192, for a model with other dynamic dimensions")
    p.add_argument("--log-dir", help="server logs (default: beside --out)")
    p.add_argument("--accel", default="cuda", help="the accelerated device under test (cpu only to try the script without a GPU)")
    a = p.parse_args()
    log_dir = a.log_dir or os.path.dirname(os.path.abspath(a.out))
    os.makedirs(log_dir, exist_ok=True)
    model_path = os.path.join(a.model_dir, "model.onnx")
    ref_session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"]) if onnxruntime else None
    seed = int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)
    result = {"seed": seed, "tolerance_rel_l2": REL_L2_TOL, "python_onnxruntime": onnxruntime.__version__ if onnxruntime else None,
              "checks": [], "failures": []}

    def check(name, ok, **fields):
        result["checks"].append({"check": name, "ok": bool(ok), **fields})
        if not ok:
            result["failures"].append(name)
        print(("PASS " if ok else "FAIL ") + name + " " + json.dumps(fields), flush=True)

    servers = {}
    try:
        for key, device in (("cuda", a.accel), ("cpu", "cpu"), ("auto", "auto")):
            s = Server(key, a.dll, a.model_dir, a.model_name, device, log_dir)
            servers[key] = s
            log = s.text()
            expected = "cpu" if device == "cpu" else a.accel
            line = next((l for l in log.splitlines() if "Execution device:" in l), "")
            v2 = requests.get(s.base + "/v2", timeout=10).json()
            meta = requests.get(f"{s.base}/v2/models/{a.model_name}", timeout=10).json()
            check(f"--device {device}: log says '{expected}'", f"Execution device: {expected} (requested {device})" in log,
                  log_line=line.strip(), ready_s=round(s.ready_s, 2))
            check(f"--device {device}: GET /v2 device and model parameters.device are {expected}",
                  v2.get("device") == expected and meta.get("parameters", {}).get("device") == expected,
                  v2_device=v2.get("device"), model_device=meta.get("parameters", {}).get("device"))

        model_meta = requests.get(f"{servers['cpu'].base}/v2/models/{a.model_name}", timeout=10).json()
        input_name, row_shape = model_meta["inputs"][0]["name"], model_meta["inputs"][0]["shape"][1:]
        if a.row_shape:
            row_shape = [int(d) for d in a.row_shape.split(",")]
        if any(d < 0 for d in row_shape):
            raise ValueError(f"input {input_name} has dynamic dimensions past the batch {row_shape}; pass --row-shape")

        def reference(x):
            return ref_session.run(None, {input_name: x})[0] if ref_session else infer_binary(servers["cpu"].base, a.model_name, input_name, x)

        for batch in (1, 3, 8):
            x = rng.standard_normal((batch, *row_shape), dtype=np.float32)
            ref = reference(x)
            outs = {}
            for device in ("cuda", "cpu"):
                for fmt, fn in (("binary", infer_binary), ("json", infer_json)):
                    outs[(device, fmt)] = fn(servers[device].base, a.model_name, input_name, x)
            for fmt in ("binary", "json"):
                cu, cp = outs[("cuda", fmt)], outs[("cpu", fmt)]
                e = rel_l2(cu, cp)
                check(f"batch {batch} {fmt}: cuda vs cpu server rel L2 <= {REL_L2_TOL}", cu.shape == cp.shape and e <= REL_L2_TOL,
                      rel_l2=e, max_abs=float(np.abs(cu - cp).max()), ref_max_abs=float(np.abs(cp).max()),
                      top1_agree=float((cu.argmax(1) == cp.argmax(1)).mean()), shape=list(cu.shape))
                e_ref = rel_l2(cu, ref)
                check(f"batch {batch} {fmt}: cuda server vs python onnxruntime CPU rel L2 <= {REL_L2_TOL}", e_ref <= REL_L2_TOL,
                      rel_l2=e_ref, top1_agree=float((cu.argmax(1) == ref.argmax(1)).mean()))
                e_cpu_ref = rel_l2(cp, ref)
                check(f"batch {batch} {fmt}: cpu server vs python onnxruntime CPU rel L2 <= 1e-5", e_cpu_ref <= 1e-5, rel_l2=e_cpu_ref)
            for device in ("cuda", "cpu"):
                e = rel_l2(outs[(device, "json")], outs[(device, "binary")])
                check(f"batch {batch}: {device} json vs binary rel L2 <= {BIN_JSON_TOL}", e <= BIN_JSON_TOL, rel_l2=e)

        # Dynamic batching on CUDA: concurrent requests with distinct inputs of 1 to 3 rows, stacked into one Run, each
        # gets its own rows; with --batch-padding on (auto on CUDA) and off. Padded Runs see only bucket sizes.
        for padding in ("on", "off"):
            key = f"cuda-b8-pad-{padding}"
            servers[key] = Server(key, a.dll, a.model_dir, a.model_name, a.accel, log_dir,
                                  ("--max-batch-size", "8", "--max-batch-delay-ms", "5", "--batch-padding", padding))
            xs = [rng.standard_normal((1 + i % 3, *row_shape), dtype=np.float32) for i in range(24)]
            with concurrent.futures.ThreadPoolExecutor(24) as pool:
                got = list(pool.map(lambda x: infer_binary(servers[key].base, a.model_name, input_name, x), xs))
            errs = [rel_l2(g, reference(x)) if g.shape == (x.shape[0], *g.shape[1:]) else float("inf") for g, x in zip(got, xs)]
            metrics = requests.get(servers[key].base + "/metrics", timeout=10).text
            batch_lines = [l for l in metrics.splitlines() if l.startswith("runtime_batch_size_") and ("_sum" in l or "_count" in l)]
            padded = [l for l in metrics.splitlines() if l.startswith(("runtime_padded_runs_total", "runtime_padding_rows_total"))]
            real_rows = next((float(l.split()[-1]) for l in batch_lines if "_sum" in l), -1)
            check(f"cuda batching (max 8, 5 ms, padding {padding}): 24 concurrent distinct requests of 1-3 rows each match their own reference",
                  max(errs) <= REL_L2_TOL and real_rows == 48, max_rel_l2=max(errs), batch_metrics=batch_lines, padding_metrics=padded)
            shapes = {int(l.split('rows="')[1].split('"')[0]) for l in padded if 'rows="' in l}
            ok = shapes <= {1, 2, 4, 8} and len(shapes) > 0 if padding == "on" else len(shapes) == 0
            check(f"cuda batching, padding {padding}: Runs padded to {'bucket sizes 1/2/4/8 only' if padding == 'on' else 'nothing'}",
                  ok, padded_shapes=sorted(shapes))

        # Bad input on CUDA: a clear 400 naming the input, no crash.
        bad = np.zeros((1, *row_shape[:-1], row_shape[-1] + 1), dtype=np.float32)
        header = json.dumps({"inputs": [{"name": input_name, "shape": list(bad.shape), "datatype": "FP32",
                                         "parameters": {"binary_data_size": bad.nbytes}}]}).encode()
        r = requests.post(f"{servers['cuda'].base}/v2/models/{a.model_name}/infer", data=header + bad.tobytes(),
                          headers={"Inference-Header-Content-Length": str(len(header))}, timeout=60)
        check("cuda: wrong input shape answers 400 naming the input", r.status_code == 400 and input_name in r.text,
              status=r.status_code, body=r.text[:300])
        live = requests.get(servers["cuda"].base + "/v2/health/live", timeout=10).status_code
        check("cuda: still live after the bad request", live == 200, status=live)
    except Exception as e:  # a crash is a failure with its reason, never a silent exit
        check("no exception", False, error=f"{type(e).__name__}: {e}")
    finally:
        for name, s in servers.items():
            code = s.stop()
            result.setdefault("exit_codes", {})[name] = code
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"{len(result['checks']) - len(result['failures'])} passed, {len(result['failures'])} failed", flush=True)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
