# This file is part of the B2B wholesale suite.
"""The child processes of `b2b`: the servers run side by side until one
stops (b2b serve), or one process waited for (trytond-admin). SIGTERM and
SIGHUP are passed on to them, and Ctrl-C stops them (trytond-admin gets its
SIGINT itself; the servers, each in its own process group, get SIGTERM),
so that none outlives the command."""
import contextlib
import os
import signal
import subprocess
import time

SIGNALS = [signal.SIGTERM, signal.SIGHUP]


def run_all(commands, say=print):
    """Run the (name, command, env) processes together until one ends or
    Ctrl-C; stop the others and return the first one's exit code

    Each runs in its own process group, and signals go to the whole group:
    the servers' own child processes (trytond-cron's and trytond-worker's
    pools, gunicorn's workers) stop with them, even when their parent is
    gone first."""
    processes = []

    def forward(signum, frame):
        for process in processes:
            if process.poll() is None:
                signal_group(process, signum)
    previous = {s: signal.signal(s, forward) for s in SIGNALS}
    try:
        for name, command, env in commands:
            processes.append(subprocess.Popen(
                    command, env=env, process_group=0))
        returncode = None
        while returncode is None:
            for (name, _, _), process in zip(commands, processes):
                if process.poll() is not None:
                    returncode = process.returncode
                    if len(processes) > 1:
                        say(f"{name} stopped (exit code {returncode}): "
                            "stopping the others")
                    break
            else:
                time.sleep(0.2)
    except KeyboardInterrupt:
        returncode = 130
    finally:
        # also the groups whose leader ended: what it left running
        for process in processes:
            signal_group(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return exit_code(returncode)


def signal_group(process, signum):
    "Send signum to the process group that process leads, if any is left"
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


@contextlib.contextmanager
def forwarding_signals(process):
    "Pass SIGTERM and SIGHUP on to process while in the block"
    def forward(signum, frame):
        if process.poll() is None:
            process.send_signal(signum)
    previous = {s: signal.signal(s, forward) for s in SIGNALS}
    try:
        yield process
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def wait(process):
    "Wait for process to end, also after a Ctrl-C; return its exit code"
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        try:
            returncode = process.wait(timeout=10)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            process.kill()
            returncode = process.wait()
        raise
    return exit_code(returncode)


def exit_code(returncode):
    "The shell's exit code of a process: 128 + N when killed by signal N"
    return 128 - returncode if returncode < 0 else returncode
