"""A process stops on SIGTERM whichever of its threads the kernel hands the signal to."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The signal goes to a thread that is not the main one, as the kernel may choose to do
# with a signal sent to the process (`kill`), while the main thread waits to stop.
SCRIPT = textwrap.dedent(
    """
    import signal, threading, time
    from runtime.stopping import StopSignal

    def kill_from_here():
        time.sleep(0.3)  # the main thread waits by then
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

    stop = StopSignal()
    threading.Thread(target=kill_from_here).start()
    print("stopped on", signal.Signals(stop.wait()).name, flush=True)
    """
)


def test_a_stop_signal_handed_to_another_thread_still_stops_the_main_one():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=10
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped on SIGTERM"
