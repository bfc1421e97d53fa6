"""A warm ``ganzoo`` launcher: import torch and ganzoo once, fork a fresh process per command.

The crash-safety family starts ``ganzoo train`` dozens of times and kills it; paying torch's
import (seconds on a busy machine) every time would blow the suite's time budget. Each command
runs in a forked child executing the real ``ganzoo.cli.main`` with its own stdout/stderr file,
so a SIGKILL hits a real ``ganzoo train`` process. Protocol (JSON lines on stdin/stdout):

    {"run": [args...], "cwd": DIR, "log": FILE, "fsize": BYTES|null, "env": {...}|null}
                                                 ->  {"pid": PID}
    {"wait": PID, "timeout": S}                  ->  {"status": exit code, -signal, or null
                                                     if still running after S seconds}
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def serve() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401 - warm import for the loss plot
    import torch  # noqa: F401

    from ganzoo.building import variant_class
    from ganzoo.cli import main  # noqa: F401
    from ganzoo.data.spec import load_dataset  # noqa: F401
    from ganzoo.train import trainer  # noqa: F401

    variant_class("gan")
    variant_class("cyclegan")
    # The first optimizer pulls in torch._dynamo (seconds): pay that once, here.
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([weight])
    weight.sum().backward()
    optimizer.step()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request:
            print(json.dumps({"status": _wait(request["wait"], request["timeout"])}),
                  flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), flush=True)


def _wait(pid: int, timeout: float) -> int | None:
    import time

    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.005)


def _child(request: dict) -> None:
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.update(request.get("env") or {})
        if request.get("fsize"):  # a "full disk": writes past this many bytes fail (EFBIG)
            import resource
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (request["fsize"], request["fsize"]))
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sys.argv = ["ganzoo", *request["run"]]
        from ganzoo.cli import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class WarmLauncher:
    """The test side: start commands, wait for them."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reliability.warm_launcher"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=env)
        assert json.loads(self.process.stdout.readline()).get("ready")

    def _ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def start(self, args: list[str], cwd: Path, log: Path, fsize: int | None = None,
              env: dict[str, str] | None = None) -> int:
        return self._ask({"run": list(args), "cwd": str(cwd), "log": str(log),
                          "fsize": fsize, "env": env})["pid"]

    def wait(self, pid: int, timeout: float = 120) -> int | None:
        return self._ask({"wait": pid, "timeout": timeout})["status"]

    def run(self, args: list[str], cwd: Path, log: Path, timeout: float = 120,
            fsize: int | None = None, env: dict[str, str] | None = None) -> int | None:
        return self.wait(self.start(args, cwd, log, fsize, env), timeout)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    serve()
