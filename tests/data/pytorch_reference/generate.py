#!/usr/bin/python3
"""Writes pytorch-cases.json: float64 reference runs of torch.optim and torch.nn for
tests/tst_pytorch_reference.cpp, which trains the same networks with GradScope under
conventions = pytorch and compares to 1e-9 * max(1, |value|).

Run by hand at development time with Debian's python3-torch (the numbers are committed; the
build and the tests do not need torch):

    tests/data/pytorch_reference/generate.py            # writes pytorch-cases.json beside it

Every case trains a small regression network full batch (16 samples, 3 inputs, 2 outputs,
mean squared error) without shuffling for 30 steps under a piecewise-constant learning rate
(boundaries 9 and 19, the rate cut to 0.3 and then 0.1 of its start, PiecewiseConstantDecay's
"step <= boundary" rule), so that every rule is also seen across a change of rate. The
optimisers use torch.optim's defaults (recorded in `torch_hyperparameters`) unless the case
names a value. One case clips with torch.nn.utils.clip_grad_norm_, two put a BatchNorm1d
(training mode, then compared running statistics) between the hidden Linear layer and tanh.

Weights are written in GradScope's (Keras's) layout: a Dense kernel is (inputs, units), the
transpose of nn.Linear's weight; BatchNorm's weight/bias/running_mean/running_var are gamma,
beta, moving_mean and moving_variance. The list of weights has one entry per GradScope layer
(Dense, BatchNorm, Activation, Dense for the BatchNorm cases).

Two optimisers need a word:
  - NAdam: torch 1.13's single-tensor NAdam multiplies mu_t twice into mu_product_next, a bug
    fixed in torch 2.0 (pytorch/pytorch#92699); its multi-tensor path (foreach=True) has the
    corrected formula, which GradScope follows, so NAdam runs with foreach=True here.
  - Lion: torch.optim has no Lion; the case applies the update of the authors' PyTorch code
    (Chen et al. 2023, lion_pytorch.py): decoupled decay p *= 1 - lr wd, then
    p -= lr sign(b1 m + (1 - b1) g), then m = b2 m + (1 - b2) g.
"""

import json
import math
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

STEPS = 30
BOUNDARIES = [9, 19]
FACTORS = [1.0, 0.3, 0.1]
SAMPLES, INPUTS, HIDDEN, OUTPUTS = 16, 3, 5, 2


def rate_at(step, base):
    """PiecewiseConstantDecay: values[0] while step <= boundaries[0], and so on."""
    for i, b in enumerate(BOUNDARIES):
        if step <= b:
            return base * FACTORS[i]
    return base * FACTORS[-1]


class Lion(torch.optim.Optimizer):
    """The update of the Lion authors' PyTorch code (see the module docstring)."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.data.mul_(1 - group["lr"] * group["weight_decay"])
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                beta1, beta2 = group["betas"]
                update = exp_avg * beta1 + p.grad * (1 - beta1)
                p.add_(torch.sign(update), alpha=-group["lr"])
                exp_avg.mul_(beta2).add_(p.grad, alpha=1 - beta2)


def make_optimizer(spec, params):
    name = spec["name"]
    o = torch.optim
    kw = {k: v for k, v in spec.items() if k not in ("name",)}
    if name in ("sgd", "momentum", "nesterov"):
        return o.SGD(params, foreach=False, **kw)
    if name == "adagrad":
        return o.Adagrad(params, foreach=False, **kw)
    if name == "rmsprop":
        return o.RMSprop(params, foreach=False, **kw)
    if name == "adam":
        return o.Adam(params, foreach=False, **kw)
    if name == "adamax":
        return o.Adamax(params, foreach=False, **kw)
    if name == "nadam":
        return o.NAdam(params, foreach=True, **kw)  # see the module docstring
    if name == "adamw":
        return o.AdamW(params, foreach=False, **kw)
    if name == "lion":
        return Lion(params, **kw)
    raise ValueError(name)


def hyperparameters(optimizer):
    group = optimizer.param_groups[0]
    out = {}
    for key, value in group.items():
        if key == "params" or value is None or isinstance(value, bool) and key in (
                "foreach", "maximize", "capturable", "differentiable"):
            continue
        if isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def dense_weights(linear):
    return {"kernel": linear.weight.detach().t().tolist(), "bias": linear.bias.detach().tolist()}


def bn_weights(bn):
    return {"gamma": bn.weight.detach().tolist(), "beta": bn.bias.detach().tolist(),
            "moving_mean": bn.running_mean.detach().tolist(),
            "moving_variance": bn.running_var.detach().tolist()}


class Net(torch.nn.Module):
    def __init__(self, batch_norm):
        super().__init__()
        self.hidden = torch.nn.Linear(INPUTS, HIDDEN)
        self.bn = torch.nn.BatchNorm1d(HIDDEN) if batch_norm else None
        self.out = torch.nn.Linear(HIDDEN, OUTPUTS)

    def forward(self, x):
        z = self.hidden(x)
        if self.bn is not None:
            z = self.bn(z)
        return self.out(torch.tanh(z))

    def weights(self):
        if self.bn is None:
            return [dense_weights(self.hidden), dense_weights(self.out)]
        return [dense_weights(self.hidden), bn_weights(self.bn), {}, dense_weights(self.out)]


def run_case(case_id, optimizer_spec, rng, clip_norm=None, batch_norm=False):
    x = torch.tensor(rng.normal(size=(SAMPLES, INPUTS)))
    y = torch.tensor(rng.normal(size=(SAMPLES, OUTPUTS)))
    net = Net(batch_norm)
    with torch.no_grad():  # weights from numpy, so that the file does not depend on torch's RNG
        for p in net.parameters():
            p.copy_(torch.tensor(rng.uniform(-0.6, 0.6, size=tuple(p.shape))))
        if batch_norm:
            net.bn.weight.copy_(torch.tensor(rng.uniform(0.8, 1.2, size=HIDDEN)))
            net.bn.bias.copy_(torch.tensor(rng.uniform(-0.1, 0.1, size=HIDDEN)))
    net.train()
    initial = net.weights()
    optimizer = make_optimizer(optimizer_spec, net.parameters())
    base_rate = optimizer.param_groups[0]["lr"]
    torch_hyperparameters = hyperparameters(optimizer)  # before the schedule changes lr
    loss_fn = torch.nn.MSELoss()
    losses, rates, clipped = [], [], []
    after_step1 = None
    predictions0 = gradients0 = None
    for step in range(STEPS):
        rate = rate_at(step, base_rate)
        for group in optimizer.param_groups:
            group["lr"] = rate
        optimizer.zero_grad()
        prediction = net(x)
        loss = loss_fn(prediction, y)
        loss.backward()
        if step == 0:
            predictions0 = prediction.detach().tolist()
            gradients0 = {"layers[0].kernel": net.hidden.weight.grad.t().tolist(),
                          "layers[0].bias": net.hidden.bias.grad.tolist()}
        if clip_norm is not None:
            norm = float(torch.nn.utils.clip_grad_norm_(net.parameters(), clip_norm))
            clipped.append(clip_norm / (norm + 1e-6) < 1.0)
        optimizer.step()
        losses.append(loss.item())
        rates.append(rate)
        if step == 0:
            after_step1 = net.weights()
    final_weights = net.weights()  # before the forward below moves BatchNorm's statistics
    with torch.no_grad():
        final_loss = loss_fn(net(x), y).item()  # training mode, as the engine's check
    case = {
        "id": case_id,
        "optimizer": optimizer_spec,
        "torch_hyperparameters": torch_hyperparameters,
        "base_learning_rate": base_rate,
        "clip_norm": clip_norm,
        "batch_norm": batch_norm,
        "data": {"X": x.tolist(), "y": y.tolist()},
        "steps": STEPS,
        "initial_weights": initial,
        "expected": {
            "losses": losses,
            "learning_rates": rates,
            "predictions_step0": predictions0,
            "gradients_step0": gradients0,
            "weights_after_step1": after_step1,
            "final_weights": final_weights,
            "final_loss": final_loss,
        },
    }
    if clip_norm is not None:
        case["expected"]["clip_active"] = clipped
    return case


def main():
    rng = np.random.default_rng(20261207)
    cases = [
        run_case("sgd", {"name": "sgd", "lr": 0.1}, rng),
        run_case("momentum", {"name": "momentum", "lr": 0.05, "momentum": 0.9}, rng),
        run_case("nesterov", {"name": "nesterov", "lr": 0.05, "momentum": 0.9,
                              "nesterov": True}, rng),
        run_case("momentum_weight_decay", {"name": "momentum", "lr": 0.05, "momentum": 0.9,
                                           "weight_decay": 0.01}, rng),
        run_case("adagrad", {"name": "adagrad", "lr": 0.05}, rng),
        run_case("rmsprop", {"name": "rmsprop", "lr": 0.01}, rng),
        run_case("rmsprop_centered_momentum", {"name": "rmsprop", "lr": 0.005, "momentum": 0.5,
                                               "centered": True}, rng),
        run_case("adam", {"name": "adam", "lr": 0.01}, rng),
        run_case("adam_amsgrad_weight_decay", {"name": "adam", "lr": 0.01, "amsgrad": True,
                                               "weight_decay": 0.01}, rng),
        run_case("adamax", {"name": "adamax", "lr": 0.01}, rng),
        run_case("nadam", {"name": "nadam", "lr": 0.01}, rng),
        run_case("adamw", {"name": "adamw", "lr": 0.01}, rng),
        run_case("lion", {"name": "lion", "lr": 0.001, "weight_decay": 0.01}, rng),
        run_case("momentum_clip_grad_norm", {"name": "momentum", "lr": 0.1, "momentum": 0.9},
                 rng, clip_norm=0.5),
        run_case("momentum_batch_norm", {"name": "momentum", "lr": 0.05, "momentum": 0.9}, rng,
                 batch_norm=True),
        run_case("adam_batch_norm", {"name": "adam", "lr": 0.01}, rng, batch_norm=True),
    ]
    out = {
        "format": "gradscope-pytorch-reference",
        "generator": "tests/data/pytorch_reference/generate.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "loss": "mean_squared_error",
        "schedule": {"type": "piecewise_constant_decay", "boundaries": BOUNDARIES,
                     "factors": FACTORS},
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-cases.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
