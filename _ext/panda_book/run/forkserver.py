"""A fresh kernel for every notebook, at the cost of a fork: kernels forked from a warm template.

A new kernel per notebook is what keeps one issue's state (``np.set_printoptions``,
a monkey-patched module, rcParams, a global) out of the next; starting one costs
about 2 s of CPU here, most of it importing IPython, numpy, matplotlib and the
chart code. So one template process imports all of that once, starts no kernel
and no thread, and waits on a Unix socket. For each notebook, jupyter_client
launches a small launcher (:data:`LAUNCHER`) as "the kernel process"; the
launcher asks the template to fork, and the forked child, a copy of the template
that no notebook has touched, becomes the kernel (``IPKernelApp``) on the
connection file jupyter_client wrote, in the notebook's folder. The launcher
lives as long as its child: it passes on interrupts and termination, and exits
with the child's status, so jupyter_client manages it like any kernel. If the
launcher is killed, the template kills its child.

Each child starts from the same state: a fresh kernel's, plus modules already
imported (as if a previous ``import`` had run; importing them again is free).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: imported once by the template: what an issue's notebook imports
#: and what every kernel would otherwise import as it starts or runs its first cell (found with cProfile in a child)
WARM_IMPORTS = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython",
                "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
                "IPython.extensions.storemagic", "sqlite3", "psutil", "tornado.platform.asyncio", "urllib.request",
                "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline", "ipywidgets",
                "charts", "newsletter", "newsletter.model", "myst_parser.parsers.mdit", "myst_parser.config.main",
                "myst_parser.parsers.directives", "docutils.parsers.rst.directives.body",
                "docutils.parsers.rst.directives.misc", "babel.numbers")

#: run once by the template after the imports: a chart drawn in both languages, to SVG and PNG, so each child
#: starts with the CJK font registered and matplotlib's font and text caches filled (what the first chart of
#: every notebook would otherwise pay again), and babel's Chinese and English number data loaded (the figure
#: records' formatting). It changes no setting: the style is a context, the figure is not pyplot's (no figure
#: numbers), and caches do not change what is drawn or written.
WARM_UP = """
import io
from matplotlib import style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from charts._fonts import register_cjk_font
from charts._render import STYLE
register_cjk_font()
with style.context([STYLE]):
    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar(["就业 Jobs", "工日 Workdays"], [2.03, 0.69])
    ax.set_title("微短剧 Mini-drama 0123456789")
    fig.savefig(io.BytesIO(), format="svg")
    fig.savefig(io.BytesIO(), format="png", dpi=110)
from newsletter.figures import format_en, format_zh
format_zh(2030000), format_en(36850000), format_en(1234.5)
"""

#: the template: imports, then forks a kernel per request (no thread in it, so forking is safe)
TEMPLATE = r"""
import importlib, json, os, signal, socket, sys, threading, time
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
for name in sys.argv[2].split(","):
    importlib.import_module(name)
try:
    exec(sys.argv[3])
except Exception as exc:  # a book without the chart code: the children warm up on their own
    print(f"kernel template: no warm-up ({exc.__class__.__name__}: {exc})", file=sys.stderr)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(8)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system: no zombies
import gc
gc.collect()
gc.freeze()  # the template's objects are never scanned again: a child's collections do not copy their pages
print("ready", flush=True)
devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(devnull, 1)
while True:
    conn, _ = server.accept()
    request = json.loads(conn.makefile().readline())
    pid = os.fork()
    if pid == 0:
        server.close()
        conn.close()
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        def watchdog(launcher=request["launcher"]):
            while True:  # the launcher is the kernel process jupyter_client knows: end with it
                try:
                    os.kill(launcher, 0)
                except ProcessLookupError:
                    os._exit(0)
                time.sleep(0.2)
        threading.Thread(target=watchdog, daemon=True).start()
        try:
            from ipykernel.kernelapp import IPKernelApp
            app = IPKernelApp.instance()
            app.initialize(["-f", request["connection_file"]])
            app.start()
        finally:
            os._exit(0)
    conn.sendall(f"{pid}\n".encode())
    conn.close()
"""

#: what jupyter_client starts as the kernel: asks the template for a child and lives as long as it does
LAUNCHER = r"""
import json, os, signal, socket, sys, time
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
request = {"cwd": sys.argv[2], "connection_file": sys.argv[3], "launcher": os.getpid()}
sock.sendall((json.dumps(request) + "\n").encode())
pid = int(sock.makefile().readline())
sock.close()
def forward(signum, frame):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
    if signum == signal.SIGTERM:
        os._exit(0)
signal.signal(signal.SIGINT, forward)
signal.signal(signal.SIGTERM, forward)
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        break
    time.sleep(0.05)
"""


class ForkServer:
    """The template process of one build; :meth:`kernel_cmd` is the command of one fresh kernel."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="panda-kernels-")
        self.socket = os.path.join(self.folder, "template.sock")
        env = dict(os.environ)
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"  # no thread to fork
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy (imported by ipykernel) would warn on every start
        self.process = subprocess.Popen([sys.executable, "-c", TEMPLATE, self.socket, ",".join(WARM_IMPORTS), WARM_UP],
                                        stdout=subprocess.PIPE, env=env, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the kernel template did not start")

    def kernel_cmd(self, cwd: str) -> list[str]:
        return [sys.executable, "-c", LAUNCHER, self.socket, cwd, "{connection_file}"]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for name in os.listdir(self.folder):
            Path(self.folder, name).unlink(missing_ok=True)
        os.rmdir(self.folder)



def manager_class():
    """An ``AsyncKernelManager`` whose kernel is a child of ``self.panda_forks`` (a :class:`ForkServer`)."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        panda_forks: ForkServer | None = None
        panda_cwd: str = "."

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = self.panda_forks.kernel_cmd(self.panda_cwd)
            return [part.replace("{connection_file}", self.connection_file) for part in cmd]

    return ForkedKernelManager
