#!/usr/bin/python3
"""Compares GradScope's training-step rate with PyTorch's on the four reference networks.

Both train the same networks in float32 on the CPU, one step being forward, loss, backward
and an SGD update (learning rate 0.01) on a batch taken in turn from a pre-generated pool:

    tiny   2-8-8-1 tanh, linear output, MSE, batch 10
    deep   100 inputs, 20 hidden layers of 100 sigmoid units, 10 softmax outputs, batch 64
    mnist  784-256-256-10 relu, softmax (cross-entropy), batch 128
    wide   784-1024-1024-10 relu, softmax (cross-entropy), batch 256
    fashion 784-300-100-10 relu, softmax (cross-entropy), batch 32

GradScope's numbers come from the bench_training_step executable (Google Benchmark, JSON
output); PyTorch's from this script run as a worker process. The two alternate within every
round (GradScope 1 thread, PyTorch 1 thread, GradScope 2 threads, PyTorch 2 threads), so that
machine noise hits both alike, and each figure is the median over the rounds.

Fairness to PyTorch: Debian's python3-torch calls whatever libblas.so.3 is installed. The
reference BLAS makes it 3-40x slower, so the script refuses to run on it (unless --allow-
reference-blas) and names the fix. OpenBLAS 0.3.21 does not recognise some recent CPUs and
falls back to old kernels; when the kernel it picks does not use the CPU's widest vector
instructions, the worker is restarted with OPENBLAS_CORETYPE naming the right family. The
thread count is set explicitly for PyTorch (torch.set_num_threads) and for OpenBLAS's own
thread pool (OPENBLAS_NUM_THREADS), and the BLAS and kernel used are printed. Both programs
run with the same OpenMP wait policy (passive by default: spinning idle threads make
two-thread runs of either collapse on a busy machine).

Within reach of the hardware: bench_training_step's peak/fma case measures the single-core
multiply-add peak at the kernel level in use (independent chains of vector multiply-adds);
each network's matrix-product GFLOP/s (2 flops per multiply-add of the forward and backward
products) is printed as a fraction of it. GRADSCOPE_KERNELS=baseline|avx2|avx512 in the
environment reaches GradScope and chooses its level (e.g. avx2 with --coretype Haswell compares
a laptop's instruction set on both sides).

On a machine other programs keep busy, --clock cpu measures both programs by the CPU time of
their one thread (process_time in PyTorch, cpu_time in Google Benchmark) instead of the wall
clock: closer to what an idle machine gives, though caches are still shared.

Usage: bench/compare_pytorch.py [--bench PATH] [--rounds R] [--quick] [--threads 1,2]
                                [--clock wall|cpu]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

NETWORKS = ["tiny", "deep", "mnist", "wide", "fashion"]
BOUND_NETWORKS = ["deep", "wide"]  # engine/bound is reported for these
# Single-threaded targets: GradScope steps/s divided by PyTorch steps/s.
RATIO_TARGETS = {"tiny": 50.0, "deep": 2.0, "mnist": 1.2, "wide": 1.0, "fashion": 2.0}
BOUND_TARGET = 0.85  # engine steps/s / Eigen matrix-products-only steps/s
PEAK_NETWORKS = ["deep", "mnist", "wide"]  # GFLOP/s as a fraction of the FMA peak
PEAK_TARGET = 0.60
# (inputs, hidden widths, outputs, batch) of each network, for its matrix-product flops.
SHAPES = {
    "tiny": (2, [8, 8], 1, 10),
    "deep": (100, [100] * 20, 10, 64),
    "mnist": (784, [256, 256], 10, 128),
    "wide": (784, [1024, 1024], 10, 256),
}
POOL_SIZE = 8
LEARNING_RATE = 0.01

# OpenBLAS core names whose single-precision GEMM uses AVX-512 or AVX2.
AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids"}
AVX2_CORES = AVX512_CORES | {"haswell", "zen", "skylake", "alderlake"}


def product_flops(name):
    """Flops of one step's matrix products: per Dense layer the forward Z = K^T X and the
    backward dK = X dZ^T, plus dX = K dZ for every layer but the first; 2 per multiply-add."""
    inputs, hidden, outputs, batch = SHAPES[name]
    widths = [inputs] + hidden + [outputs]
    flops = 0
    for layer, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        products = 3 if layer > 0 else 2
        flops += products * 2 * fan_in * fan_out * batch
    return flops


# --------------------------------------------------------------------------- PyTorch worker


def torch_networks(torch):
    """The reference networks as (model, loss function, input pool, target pool)."""
    nn = torch.nn

    def mlp(inputs, hidden, activation, outputs):
        layers, width = [], inputs
        for units in hidden:
            layers += [nn.Linear(width, units), activation()]
            width = units
        layers.append(nn.Linear(width, outputs))  # logits; CrossEntropyLoss applies softmax
        return nn.Sequential(*layers)

    specs = {
        "tiny": (mlp(2, [8, 8], nn.Tanh, 1), "mse", 2, 1, 10),
        "deep": (mlp(100, [100] * 20, nn.Sigmoid, 10), "ce", 100, 10, 64),
        "mnist": (mlp(784, [256, 256], nn.ReLU, 10), "ce", 784, 10, 128),
        "wide": (mlp(784, [1024, 1024], nn.ReLU, 10), "ce", 784, 10, 256),
        "fashion": (mlp(784, [300, 100], nn.ReLU, 10), "ce", 784, 10, 32),
    }
    result = {}
    for name, (model, loss, inputs, outputs, batch) in specs.items():
        xs = [torch.randn(batch, inputs) for _ in range(POOL_SIZE)]
        if loss == "mse":
            loss_fn = nn.MSELoss()
            ys = [torch.randn(batch, outputs) for _ in range(POOL_SIZE)]
        else:
            loss_fn = nn.CrossEntropyLoss()
            ys = [torch.randint(0, outputs, (batch,)) for _ in range(POOL_SIZE)]
        result[name] = (model, loss_fn, xs, ys)
    return result


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def torch_steps_per_second(torch, model, loss_fn, xs, ys, min_time):
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % POOL_SIZE]), ys[i % POOL_SIZE])
        loss.backward()
        optimizer.step()

    for i in range(3):  # first steps allocate gradients and warm the caches
        step(i)
    steps, start = 0, clock()
    while True:
        step(steps)
        steps += 1
        elapsed = clock() - start
        if elapsed >= min_time and steps >= 3:
            return steps / elapsed


def loaded_blas():
    """Paths of the BLAS libraries mapped into this process."""
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and ("blas" in fields[-1] or "mkl" in fields[-1]):
                paths.add(fields[-1])
    return sorted(paths)


def openblas_info(paths):
    """OpenBLAS's configuration, kernel and thread count, read from the loaded library."""
    import ctypes

    for path in paths:
        if "openblas" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)  # already loaded: the same handle torch uses
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {
                "library": path,
                "corename": lib.openblas_get_corename().decode(),
                "config": lib.openblas_get_config().decode(),
                "threads": lib.openblas_get_num_threads(),
            }
        except (OSError, AttributeError):
            continue
    return None


def torch_worker(threads, min_time, probe_only):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # loads and initialises the BLAS
    paths = loaded_blas()
    report = {
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas_paths": paths,
        "openblas": openblas_info(paths),
    }
    if not probe_only:
        report["steps_per_s"] = {
            name: torch_steps_per_second(torch, *parts, min_time)
            for name, parts in torch_networks(torch).items()
        }
    print(json.dumps(report))


# --------------------------------------------------------------------------- driver


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def run_torch(python, threads, min_time, env, probe_only=False, clock_name="wall"):
    command = [python, os.path.abspath(__file__), "--torch-worker", str(threads),
               "--min-time", str(min_time), "--clock", clock_name]
    if probe_only:
        command.append("--probe")
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"The PyTorch worker failed:\n{out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def openmp_env(wait_policy):
    """The environment of both programs: the same OpenMP wait policy for each."""
    env = dict(os.environ)
    if wait_policy == "default":
        env.pop("OMP_WAIT_POLICY", None)
    else:
        env["OMP_WAIT_POLICY"] = wait_policy
    return env


def torch_env(threads, coretype, wait_policy):
    env = openmp_env(wait_policy)
    # OpenBLAS's pthread build keeps its own pool; torch.set_num_threads does not size it.
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    else:
        env.pop("OPENBLAS_CORETYPE", None)
    return env


def describe_blas(probe):
    paths = probe["blas_paths"]
    info = probe["openblas"]
    if info:
        variant = "openmp" if "openmp" in info["library"] else (
            "pthread" if "pthread" in info["library"] else "serial")
        return (f"OpenBLAS ({variant}) {info['library']}\n"
                f"    config: {info['config']}\n"
                f"    kernel: {info['corename']}, BLAS threads: {info['threads']}")
    return "not OpenBLAS: " + (", ".join(paths) if paths else "no BLAS library found")


def is_reference_blas(probe):
    return probe["openblas"] is None and any(
        "/blas/libblas" in p or p.endswith("/libblas.so.3") for p in probe["blas_paths"])


def choose_coretype(python, flags, args):
    """Returns the OPENBLAS_CORETYPE to set (None: the automatic choice is right)."""
    if args.coretype:
        return args.coretype
    probe = run_torch(python, 1, 0.0, torch_env(1, None, args.omp_wait_policy), probe_only=True)
    info = probe["openblas"]
    if info is None:
        return None
    core = info["corename"].lower()
    if "avx512f" in flags and core not in AVX512_CORES:
        wanted = "SkylakeX"
    elif "avx2" in flags and "avx512f" not in flags and core not in AVX2_CORES:
        wanted = "Haswell"
    else:
        return None
    print(f"OpenBLAS picked the '{info['corename']}' kernel on a CPU with "
          f"{'AVX-512' if wanted == 'SkylakeX' else 'AVX2'}: using OPENBLAS_CORETYPE={wanted}")
    return wanted


def run_gradscope(bench, threads, min_time, wait_policy, clock_name="wall"):
    command = [bench, f"--threads={threads}", "--benchmark_format=json",
               "--benchmark_filter=^(step|bound|peak)/", f"--benchmark_min_time={min_time}"]
    out = subprocess.run(command, capture_output=True, text=True, env=openmp_env(wait_policy))
    if out.returncode != 0:
        return None, out.stderr.strip()
    report = json.loads(out.stdout)
    scale = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}
    rates = {"kernels": report.get("context", {}).get("kernels", "?")}
    for b in report["benchmarks"]:
        name = b["run_name"].removesuffix("/real_time")  # cases are timed by the wall clock
        seconds = b["cpu_time" if clock_name == "cpu" else "real_time"] / scale[b["time_unit"]]
        rates[name] = (b["gflop"] if name == "peak/fma" else 1.0) / seconds
    return rates, None


def default_bench():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "build-bench", "bench", "bench_training_step")


def find_python(requested):
    """An interpreter that can import torch (Debian's python3-torch lives in /usr/bin)."""
    for candidate in [requested, sys.executable, "/usr/bin/python3"]:
        if not candidate:
            continue
        ok = subprocess.run([candidate, "-c", "import torch"], capture_output=True)
        if ok.returncode == 0:
            return candidate
    sys.exit("No Python with torch found; install python3-torch or pass --python.")


def fmt_rate(value):
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{value / 1e3:.2f} k"
    return f"{value:.1f}"


def median(values):
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=default_bench(), help="bench_training_step path")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median)")
    parser.add_argument("--quick", action="store_true", help="2 rounds, shorter timings")
    parser.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    parser.add_argument("--python", help="interpreter for the PyTorch worker")
    parser.add_argument("--coretype", help="force OPENBLAS_CORETYPE for PyTorch")
    parser.add_argument("--omp-wait-policy", choices=["passive", "active", "default"],
                        default="passive",
                        help="OMP_WAIT_POLICY for both programs (passive: idle threads sleep "
                             "instead of spinning, which keeps two-thread runs usable on a "
                             "busy machine)")
    parser.add_argument("--allow-reference-blas", action="store_true",
                        help="measure even if PyTorch runs on the (slow) reference BLAS")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="time steps by the wall clock, or by the CPU time of one thread "
                             "(a busy machine; --threads 1 only)")
    parser.add_argument("--torch-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    global clock
    clock = CLOCKS[args.clock]
    if args.torch_worker is not None:
        torch_worker(args.torch_worker, args.min_time, args.probe)
        return
    if args.quick:
        args.rounds, args.min_time = 2, 0.25
    thread_counts = [int(t) for t in args.threads.split(",")]
    if args.clock == "cpu" and thread_counts != [1]:
        sys.exit("--clock cpu measures one thread: use --threads 1")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} not found: build with -DGRADSCOPE_BUILD_BENCH=ON "
                 "(and -DGRADSCOPE_OPENMP=ON for more than one thread), or pass --bench.")

    python = find_python(args.python)
    flags = cpu_flags()
    coretype = choose_coretype(python, flags, args)
    probe = run_torch(python, 1, 0.0, torch_env(1, coretype, args.omp_wait_policy),
                      probe_only=True)
    print(f"PyTorch {probe['torch']} ({python}), BLAS: {describe_blas(probe)}")
    if is_reference_blas(probe):
        message = ("PyTorch runs on the reference BLAS, which makes it 3-40x slower; the "
                   "comparison would be unfair. Fix: apt-get install libopenblas0-pthread "
                   "(or check: update-alternatives --display libblas.so.3-x86_64-linux-gnu)")
        if not args.allow_reference_blas:
            sys.exit(message)
        print("WARNING: " + message)
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "pre-AVX2")
    print(f"CPU vector ISA: {isa}; OPENBLAS_CORETYPE: {coretype or '(automatic)'}; "
          f"OMP_WAIT_POLICY: {args.omp_wait_policy} (both programs)")
    load_before = os.getloadavg()

    gradscope = {t: {} for t in thread_counts}  # threads -> name -> [steps/s per round]
    kernels = "?"
    torch_rates = {t: {} for t in thread_counts}
    torch_threads_seen = {}
    skipped = {}
    started = time.time()
    for r in range(args.rounds):
        for t in thread_counts:
            if t not in skipped:
                rates, error = run_gradscope(args.bench, t, args.min_time, args.omp_wait_policy,
                                             args.clock)
                if rates is None:
                    skipped[t] = error
                else:
                    kernels = rates.pop("kernels")
                    for name, rate in rates.items():
                        gradscope[t].setdefault(name, []).append(rate)
            report = run_torch(python, t, args.min_time,
                               torch_env(t, coretype, args.omp_wait_policy),
                               clock_name=args.clock)
            torch_threads_seen[t] = (report["torch_threads"],
                                     (report["openblas"] or {}).get("threads"))
            for name, rate in report["steps_per_s"].items():
                torch_rates[t].setdefault(name, []).append(rate)
        print(f"  round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)",
              file=sys.stderr)
    load_after = os.getloadavg()

    for t, error in skipped.items():
        print(f"GradScope with {t} threads skipped: {error}")
    for t, (torch_threads, blas_threads) in torch_threads_seen.items():
        print(f"PyTorch run with {t} thread(s): torch threads {torch_threads}, "
              f"OpenBLAS threads {blas_threads}")
    # The load before the run is other programs' (during it, it includes this comparison).
    busy = load_before[0] > 0.5
    print(f"Clock: {args.clock}. Medians of {args.rounds} interleaved rounds; load average {load_before[0]:.2f} "
          f"before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs)"
          + ("  -- other programs were running: numbers are noisy" if busy else ""))
    print()
    header = (f"{'network':<8}{'threads':>8}{'GradScope/s':>14}{'PyTorch/s':>13}"
              f"{'ratio':>9}{'target':>9}  result")
    print(header)
    print("-" * len(header))
    failures = 0
    for name in NETWORKS:
        for t in thread_counts:
            g = median(gradscope[t].get(f"step/{name}", []))
            p = median(torch_rates[t].get(name, []))
            ratio = g / p if g and p else None
            target = RATIO_TARGETS[name] if t == 1 else None
            if target is None or ratio is None:
                verdict = ""
            elif ratio >= target:
                verdict = "pass"
            else:
                verdict = "FAIL"
                failures += 1
            print(f"{name:<8}{t:>8}{fmt_rate(g):>14}{fmt_rate(p):>13}"
                  f"{(f'{ratio:.2f}' if ratio else '-'):>9}"
                  f"{(f'>= {target:g}' if target else ''):>9}  {verdict}")
    print()
    header = (f"{'network':<8}{'threads':>8}{'engine/s':>14}{'Eigen GEMMs/s':>15}"
              f"{'engine/bound':>14}{'target':>9}  result")
    print(header)
    print("-" * len(header))
    for name in BOUND_NETWORKS:
        for t in thread_counts:
            g = median(gradscope[t].get(f"step/{name}", []))
            b = median(gradscope[t].get(f"bound/{name}", []))
            ratio = g / b if g and b else None
            target = BOUND_TARGET if t == 1 else None
            if target is None or ratio is None:
                verdict = ""
            elif ratio >= target:
                verdict = "pass"
            else:
                verdict = "FAIL"
                failures += 1
            print(f"{name:<8}{t:>8}{fmt_rate(g):>14}{fmt_rate(b):>15}"
                  f"{(f'{ratio:.2f}' if ratio else '-'):>14}"
                  f"{(f'>= {target:g}' if target else ''):>9}  {verdict}")
    print()
    peak = median(gradscope[1].get("peak/fma", [])) if 1 in gradscope else None
    print(f"GradScope kernels: {kernels}; single-core FMA peak at that level (probe): "
          + (f"{peak:.1f} GFLOP/s" if peak else "-"))
    header = (f"{'network':<8}{'threads':>8}{'GFLOP/s':>10}{'of peak':>10}{'target':>9}  result")
    print(header)
    print("-" * len(header))
    for name in NETWORKS:
        g = median(gradscope[1].get(f"step/{name}", [])) if 1 in gradscope else None
        gflops = g * product_flops(name) * 1e-9 if g else None
        fraction = gflops / peak if gflops and peak else None
        target = PEAK_TARGET if name in PEAK_NETWORKS else None
        if target is None or fraction is None:
            verdict = ""
        elif fraction >= target:
            verdict = "pass"
        else:
            verdict = "FAIL"
            failures += 1
        print(f"{name:<8}{1:>8}{(f'{gflops:.1f}' if gflops else '-'):>10}"
              f"{(f'{fraction:.0%}' if fraction else '-'):>10}"
              f"{(f'>= {target:.0%}' if target else ''):>9}  {verdict}")
    print()
    print("ratio = GradScope steps/s / PyTorch steps/s; engine/bound = GradScope steps/s / "
          "steps/s of the same matrix products alone with Eigen (compiled for the build's "
          "target); GFLOP/s = the matrix products' flops per step x steps/s. Targets apply to "
          "one thread.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
