"""Kernels for the runs: started over IPC (no TCP), reused between runs, reset before each.

Start-up of a kernel with pandas, matplotlib and the package imported costs 3-5 s, more
than a region profile itself, so a worker keeps one kernel and reuses it. Before every run
:func:`prepare_kernel` resets the namespace (``%reset -f``), closes figures, sets the
working directory and output variables, and restarts the execution counter, so an
executed notebook looks exactly as if a fresh kernel had run it.

Kernels use the IPC transport (Unix sockets in a private temporary directory), so
ipykernel has no reason to warn "Kernel is running over TCP without encryption". A
kernel ends with the process that started it (ipykernel polls its parent process).

Examples
--------
>>> from cluster_research.pipeline import kernel
>>> km = kernel.start_kernel()            # doctest: +SKIP
>>> kernel.stop_kernel(km)                # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..errors import NotebookError
from .notebooks import KERNEL_NAME, notebooks_dir

__all__ = ["PREAMBLE", "kernel_started", "prepare_kernel", "start_kernel", "stop_kernel"]

_STARTED: list = []

#: Code run in a reused kernel before each notebook.
PREAMBLE = """\
get_ipython().run_line_magic("reset", "-f")
import os as _cr_os
_cr_os.chdir({cwd!r})
_cr_os.environ.update({env!r})
try:
    import matplotlib.pyplot as _cr_plt
    _cr_plt.close("all")
    del _cr_plt
except ImportError:
    pass
del _cr_os
get_ipython().execution_count = 1
"""


def kernel_started() -> bool:
    """Tell whether this process has started a kernel (then it must not be forked).

    Returns
    -------
    bool
    """
    return bool(_STARTED)


def start_kernel():
    """Start a ``python3`` kernel in ``notebooks/`` over IPC, for reuse by the runner.

    The kernel runs with IPython's history database disabled (so that restarting the
    execution counter for every notebook is harmless) and its sockets in a private
    temporary directory. Shut it down with :func:`stop_kernel`.

    Returns
    -------
    jupyter_client.KernelManager
    """
    from jupyter_client import KernelManager  # heavy (zmq, tornado); only when running

    sock_dir = Path(tempfile.mkdtemp(prefix="cr-kernel-"))
    km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sock_dir / "k"))
    km.cr_socket_dir = sock_dir  # removed by stop_kernel
    _STARTED.append(True)
    km.start_kernel(cwd=str(notebooks_dir()),
                    extra_arguments=["--HistoryManager.enabled=False"])
    return km


def stop_kernel(km) -> None:
    """Shut a kernel of :func:`start_kernel` down now and remove its socket directory.

    Parameters
    ----------
    km : jupyter_client.KernelManager
    """
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    finally:
        sock_dir = getattr(km, "cr_socket_dir", None)
        if sock_dir is not None:
            shutil.rmtree(sock_dir, ignore_errors=True)


def prepare_kernel(km, env: dict) -> None:
    """Reset a reused kernel's namespace, figures, directory, output variables and counter.

    Parameters
    ----------
    km : jupyter_client.KernelManager
    env : dict
        Environment variables set in the kernel (where the run writes).

    Raises
    ------
    NotebookError
        If the reset fails.
    """
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(
            PREAMBLE.format(cwd=str(notebooks_dir()), env=env), store_history=False,
            timeout=60, output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise NotebookError(f"could not reset the reused kernel: {reply['content']}")
    finally:
        kc.stop_channels()
