"""Machinery of the real-browser tests: JupyterLab and headless Chromium, both owned by pid.

Used by ``tests/test_browser.py``. Nothing here reads the network: the server listens on loopback,
its news feed, update check and extension manager are off, and Chromium resolves no host name but
127.0.0.1.

- :class:`LabServer` starts ``python -m jupyterlab`` from *this* interpreter (so the kernel
  ``python3`` is this environment's Python) in its own process group, with fresh config, data,
  runtime, settings and workspace folders (and a fresh matplotlib config folder with its font
  cache, as on a bare CI machine), and stops it (and every kernel it started) by pid.
- :class:`Browser` launches Debian's ``/usr/bin/chromium`` through Playwright (never a downloaded
  browser) and kills its process group by pid when done.
- :class:`LabPage` is one browser page with JupyterLab loaded (in a fresh workspace); every notebook
  is opened in it with JupyterLab's ``docmanager:open`` command and closed after.
- :class:`LessonPage` drives one notebook: open, wait for the kernel, clear, Run All, wait, collect
  errors, then move every slider of every ``.rnnlib-explorer`` with the keyboard.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often have a small /dev/shm; Chromium then crashes on big pages.
    "--disable-dev-shm-usage",
    # Belt and braces for "nothing reads the network": only loopback resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

# User settings written into the fresh JUPYTERLAB_SETTINGS_DIR (plugin id -> settings).
LAB_SETTINGS = {
    # Open a notebook and its kernel starts: no "select kernel" dialog.
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
    # No "would you like to receive news?" toast, no update check (both would read the web).
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
    # The scratch copy is thrown away; saving would only risk "file changed on disk" dialogs.
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}

# Server-side config written into the fresh JUPYTER_CONFIG_DIR.
SERVER_CONFIG = {
    "LabApp": {
        "news_url": None,
        "extension_manager": "readonly",
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
    },
    # Safety net if the test process is killed before it can stop the server: kernels are culled
    # and the server exits on its own after a few idle minutes.
    "MappingKernelManager": {"cull_idle_timeout": 300, "cull_interval": 60},
    "ServerApp": {"shutdown_no_activity_timeout": 600, "terminals_enabled": False},
}


# ---------------------------------------------------------------------------------------------
# processes


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may contain spaces and brackets.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, grandchildren, ...)."""
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids, timeout) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


def kill_tree(leader: int, extra=(), timeout=10.0) -> None:
    """Stop process group ``leader`` and the pids ``extra``: SIGTERM, wait, then SIGKILL."""
    pids = [leader, *extra]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(leader, sig)
        for p in extra:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, sig)
        if _wait_gone(pids, timeout):
            return


def _die_with_parent():  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# ---------------------------------------------------------------------------------------------
# JupyterLab


class LabServer:
    """JupyterLab on a free loopback port with a random token, serving ``root_dir``.

    All its state lives under ``work_dir``; its log is ``work_dir / "server.log"``.
    """

    def __init__(
        self,
        root_dir: Path,
        work_dir: Path,
        python: str = sys.executable,
        config_path: Path | None = None,
        lab_settings: dict | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.python = python
        # A folder of Jupyter config read besides the fresh one (the course's jupyter-config/,
        # as `make lab` passes it), and the user settings to write (default: LAB_SETTINGS).
        self.config_path = config_path
        self.lab_settings = LAB_SETTINGS if lab_settings is None else lab_settings
        # More of jupyter's command-line options (they win over every config file).
        self.extra_args = tuple(extra_args)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.work_dir / "server.log"
        self.proc: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        w = self.work_dir
        env = {
            k: v
            for k, v in os.environ.items()
            # Nothing of the developer's own Jupyter or matplotlib setup may leak in.
            if not k.startswith(("JUPYTER", "IPYTHON", "MPL"))
        }
        env.update(
            JUPYTER_CONFIG_DIR=str(w / "config"),
            JUPYTER_DATA_DIR=str(w / "data"),
            JUPYTER_RUNTIME_DIR=str(w / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(w / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(w / "workspaces"),
            IPYTHONDIR=str(w / "ipython"),
            # matplotlib's font cache too: one left half-written by a killed kernel elsewhere
            # made every kernel print findfont warnings into the cells the tests read.
            MPLCONFIGDIR=str(w / "matplotlib"),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONUNBUFFERED="1",
            PATH=os.pathsep.join([str(Path(self.python).parent), env.get("PATH", "")]),
        )
        if self.config_path is not None:
            env["JUPYTER_CONFIG_PATH"] = str(self.config_path)
        return env

    def _write_settings(self):
        w = self.work_dir
        for d in ("config", "data", "runtime", "settings", "workspaces", "ipython"):
            (w / d).mkdir(parents=True, exist_ok=True)
        (w / "config" / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
        for plugin, values in self.lab_settings.items():
            pkg, name = plugin.split(":")
            f = w / "settings" / pkg / f"{name}.jupyterlab-settings"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(values))

    def command(self) -> list[str]:
        return [
            self.python,
            "-m",
            "jupyterlab",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={self.root_dir}",
            # window.jupyterapp: the tests open and close documents with JupyterLab's commands.
            "--LabApp.expose_app_in_browser=True",
            *self.extra_args,
        ]

    def start(self, timeout: float = 120.0, attempts: int = 3) -> LabServer:
        """Start the server and wait for ``/api/status``. A port taken between :func:`free_port`
        and the server's bind (the server does not retry: ``port_retries=0``) means a new port."""
        self._write_settings()
        for attempt in range(attempts):
            if self._launch_and_wait(timeout):
                return self
            if attempt + 1 < attempts and "already in use" in self.log():
                self.port = free_port()
                self.base = f"http://127.0.0.1:{self.port}"
                continue
            break
        raise RuntimeError(
            f"JupyterLab exited with code {self.proc.returncode} before it was ready; "
            f"its log:\n{self.log()}"
        )

    def _launch_and_wait(self, timeout) -> bool:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.root_dir,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one, by pid
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, ValueError):
                status = self.api("GET", "/api/status", timeout=2)
                if "started" in status:
                    return True
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab not ready after {timeout:.0f} s; its log:\n{self.log()}")

    def log(self, tail: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-tail:])
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(
            f"{self.base}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (between lessons: frees CPU and memory)."""
        with contextlib.suppress(OSError, ValueError):
            for s in self.api("GET", "/api/sessions"):
                with contextlib.suppress(OSError, ValueError):
                    self.api("DELETE", f"/api/sessions/{s['id']}")
        with contextlib.suppress(OSError, ValueError):
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(OSError, ValueError):
                    self.api("DELETE", f"/api/kernels/{k['id']}")

    def stop(self) -> None:
        """Stop the server, and every kernel it started, by process id. Safe to call twice."""
        if self.proc is None:
            return
        pid = self.proc.pid
        try:
            if self.proc.poll() is None:
                self.shutdown_kernels()
            # Kernels live in their own sessions: remember their pids before the server goes.
            kill_tree(pid, extra=descendants(pid))
        finally:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
            self.proc = None


# ---------------------------------------------------------------------------------------------
# Chromium


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _is_chromium(pid: int) -> bool:
    try:
        return Path(os.readlink(f"/proc/{pid}/exe")).name in ("chromium", "chrome")
    except OSError:
        return False


class Browser:
    """Debian's Chromium driven by Playwright; its processes are killed by pid at close()."""

    def __init__(self, executable: Path = CHROMIUM, args=CHROMIUM_ARGS):
        self.executable = Path(executable)
        self.args = list(args)
        self._pw = None
        self.browser = None
        self.pid: int | None = None  # Chromium's main process

    def start(self) -> Browser:
        from playwright.sync_api import sync_playwright

        me = os.getpid()
        before = set(descendants(me))
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=str(self.executable), args=self.args, headless=True
            )
        except Exception:
            self.close()
            raise
        # Playwright's driver (a child of ours) started Chromium: the new chromium process whose
        # parent is not a chromium process is its main one (Playwright makes it a group leader).
        new = [p for p in descendants(me) if p not in before and _is_chromium(p)]
        self.pid = next((p for p in new if _ppid(p) not in new), None)
        return self

    def processes(self) -> list[int]:
        """Chromium's live processes: the main one and everything below it."""
        if self.pid is None or not (alive(self.pid) and _is_chromium(self.pid)):
            return []
        return [self.pid, *descendants(self.pid)]

    def close(self) -> None:
        """Close Playwright's connection, then make sure every Chromium process is gone."""
        left = self.processes()
        if self.browser is not None:
            with contextlib.suppress(Exception):
                self.browser.close()
            self.browser = None
        if self._pw is not None:
            with contextlib.suppress(Exception):
                self._pw.stop()
            self._pw = None
        left = [p for p in {*left, *self.processes()} if alive(p) and _is_chromium(p)]
        if left:
            try:
                leader = self.pid if os.getpgid(self.pid) == self.pid else None
            except (ProcessLookupError, TypeError):
                leader = None
            if leader is not None and leader in left:
                kill_tree(leader, extra=left, timeout=5)
            else:
                kill_pids(left)
        self.pid = None


def kill_pids(pids, timeout=5.0) -> None:
    """SIGTERM, wait, then SIGKILL, each pid of ``pids``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, sig)
        if _wait_gone(pids, timeout):
            return


# ---------------------------------------------------------------------------------------------
# one notebook in JupyterLab

# JavaScript run in the page. Selectors follow JupyterLab 4 (Lumino) and ipywidgets 8 (noUiSlider).
_JS_PROMPTS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
    .map(e => e.textContent.trim())"""

_JS_STATUS = """() => {
  const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!p) return null;
  const ind = p.querySelector('.jp-Notebook-ExecutionIndicator');
  const name = p.querySelector('[data-jp-item-name="kernelName"]');
  return {status: ind ? ind.dataset.status : null, kernel: name ? name.innerText.trim() : null};
}"""

_JS_PROBLEMS = """() => {
  const out = [];
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
  cells.forEach((cell, i) => {
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    cell.querySelectorAll('.jp-OutputArea-output').forEach(o => {
      const mime = o.dataset.mimeType || '';
      const text = o.textContent || '';
      const bad = /Traceback|Error displaying widget|Error rendering/;
      if (mime === 'application/vnd.jupyter.stderr' || bad.test(text))
        out.push({cell: i, prompt: prompt ? prompt.textContent.trim() : '', mime: mime,
                  text: text.slice(0, 3000)});
    });
  });
  return out;
}"""

_JS_EXPLORERS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .rnnlib-explorer')).map(box => ({
  sliders: Array.from(box.querySelectorAll('.widget-slider')).map(s => ({
    label: (s.querySelector('.widget-label') || {textContent: ''}).textContent.trim(),
    value: (s.querySelector('.widget-readout') || {textContent: ''}).textContent.trim(),
    handle: s.querySelectorAll('.noUi-handle').length,
  })),
  images: box.querySelectorAll('img').length,
  // [natural width, shown width] of the figure: shown larger than natural is an upscaled blur
  size: Array.from(box.querySelectorAll('img')).map(i => [i.naturalWidth, i.clientWidth])[0],
}))"""

# Sliders that are not part of an explorer (the course puts every slider in one).
_JS_STRAY_SLIDERS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .widget-slider'))
    .filter(s => !s.closest('.rnnlib-explorer'))
    .map(s => (s.querySelector('.widget-label') || {textContent: '?'}).textContent.trim())"""

# What an explorer box currently shows: a digest of its PNG bytes, the readout text, the values.
_JS_EXPLORER_VIEW = """async (box) => {
  const img = box.querySelector('img');
  let digest = null;
  // The widget revokes a picture's blob: URL when the next one arrives: read again if it did.
  for (let attempt = 0; img && img.src && digest === null && attempt < 20; attempt++) {
    try {
      const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      const h = await crypto.subtle.digest('SHA-256', buf);
      digest = Array.from(new Uint8Array(h)).map(b => b.toString(16).padStart(2, '0')).join('');
    } catch (e) {
      await new Promise(r => setTimeout(r, 25));
    }
  }
  const ro = box.querySelector('.rnnlib-readout');
  return {image: digest, readout: ro ? ro.textContent.trim() : '',
          // A slider's value: its readout text and the exact number noUiSlider holds.
          values: Array.from(box.querySelectorAll('.widget-slider')).map(s => {
            const t = s.querySelector('.noUi-target');
            const r = s.querySelector('.widget-readout');
            return (r ? r.textContent.trim() : '') + ' [' +
                   (t && t.noUiSlider ? String(t.noUiSlider.get()) : '') + ']';
          })};
}"""

# The static picture that Explorer.show() displays before the live widget: is it hidden?
_JS_STATIC_HIDDEN = """(box) => {
  const child = box.closest('.jp-OutputArea-child');
  const shown = [];
  for (let c = child && child.previousElementSibling; c; c = c.previousElementSibling)
    if (getComputedStyle(c).display !== 'none')
      shown.push(c.textContent.trim().slice(0, 80)
                 || (c.querySelector('img') ? 'an image' : c.tagName));
  return shown;
}"""


class LessonError(AssertionError):
    pass


# Close every document in the main area without the "save your work?" dialog (the scratch copy is
# thrown away). JupyterLab then shows its Launcher, which stays.
_JS_CLOSE_ALL = """() => {
  for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
    if (!w.context) continue;
    if (w.context.model) w.context.model.dirty = false;
    w.close();
  }
}"""

# Documents still open in the main area, and dialogs shown.
_JS_LEFT_OPEN = """() =>
  Array.from(window.jupyterapp.shell.widgets('main')).filter(w => w.context).length
  + document.querySelectorAll('.jp-Dialog').length"""


class LabPage:
    """One browser page with JupyterLab loaded in a fresh workspace; notebooks open inside it.

    Loading JupyterLab takes seconds, opening a notebook in it a fraction of one, so every notebook
    of the session is opened in the same page (as a learner opens them from the file browser),
    and closed before the next. After a failure the page is thrown away and a new one loaded."""

    def __init__(self, server: LabServer, context):
        self.server = server
        self.context = context
        self.page = None
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self._count = 0

    def _on_request(self, req):
        if not req.url.startswith((self.server.base, "data:", "blob:", "about:")):
            self.foreign_requests.append(req.url)

    def _on_console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def ensure(self, timeout=90.0):
        """The page, with JupyterLab started and nothing open in its main area."""
        if self.page is not None:
            return self.page
        self._count += 1
        page = self.context.new_page()
        page.set_default_timeout(60_000)
        page.on("console", self._on_console)
        page.on("request", self._on_request)
        self.page = page
        page.goto(
            f"{self.server.base}/lab/workspaces/browser-test-{self._count}?token={self.server.token}"
        )
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell"
            " && document.querySelector('#jp-main-dock-panel')",
            timeout=timeout * 1000,
        )
        page.evaluate("() => window.jupyterapp.restored")
        return page

    def close_documents(self) -> bool:
        """Close what is open (kernels are shut down by the server); False if that failed."""
        if self.page is None:
            return True
        try:
            self.page.evaluate(_JS_CLOSE_ALL)
            self.page.wait_for_function(f"() => ({_JS_LEFT_OPEN})() === 0", timeout=10_000)
        except Exception:
            return False
        return True

    def discard(self):
        if self.page is not None:
            with contextlib.suppress(Exception):
                self.page.close()
            self.page = None


class LessonPage:
    """One notebook opened in the JupyterLab of a :class:`LabPage`."""

    def __init__(self, lab_page: LabPage, path: str):
        self.lab_page = lab_page
        self.server = lab_page.server
        self.path = path
        self.t0 = time.perf_counter()
        self.timings: dict[str, float] = {}  # phase -> seconds since this object was made
        self.page = lab_page.ensure()
        self.mark("lab ready")
        self._n_errors = len(lab_page.console_errors)
        self._n_requests = len(lab_page.foreign_requests)

    @property
    def console_errors(self):
        return self.lab_page.console_errors[self._n_errors :]

    @property
    def foreign_requests(self):
        return self.lab_page.foreign_requests[self._n_requests :]

    # -- steps -------------------------------------------------------------------------------
    def open(self, timeout=90.0):
        """Open the notebook (the file browser's double click runs this same command)."""
        self.page.evaluate(
            "p => window.jupyterapp.commands.execute('docmanager:open', {path: p})"
            ".then(() => true)",
            self.path,
        )
        self.page.wait_for_selector(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
            timeout=timeout * 1000,
        )
        self.mark("opened")
        self.wait_kernel_idle(timeout)
        self.mark("kernel idle")

    def mark(self, phase: str):
        self.timings[phase] = time.perf_counter() - self.t0

    def _session_state(self):
        with contextlib.suppress(OSError, ValueError):
            for s in self.server.api("GET", "/api/sessions"):
                if s.get("path") == self.path and s.get("kernel"):
                    return s["kernel"].get("execution_state")
        return None

    def wait_kernel_idle(self, timeout=90.0):
        """The notebook's kernel exists (REST), and the page shows it connected and idle.

        Before the kernel starts the toolbar indicator already says "idle", so the server's
        session list is what proves a kernel is there; two agreeing looks 0.3 s apart."""
        end = time.monotonic() + timeout
        agree = 0
        last = None
        while time.monotonic() < end:
            ui = self.page.evaluate(_JS_STATUS)
            rest = self._session_state()
            last = (ui, rest)
            ok = (
                rest == "idle"
                and ui is not None
                and ui["status"] == "idle"
                and ui["kernel"]
                and "No Kernel" not in ui["kernel"]
            )
            agree = agree + 1 if ok else 0
            if agree >= 2:
                return ui["kernel"]
            time.sleep(0.3)
        raise LessonError(
            f"{self.path}: kernel not idle after {timeout:.0f} s (page, server): {last}"
        )

    def menu(self, top: str, item: str):
        self.page.locator("#jp-MainMenu").get_by_role("menuitem", name=top, exact=True).click()
        self.page.locator(".lm-Menu").get_by_role("menuitem", name=item, exact=True).click()

    def run_all(self, timeout=180.0):
        """Clear every output, Run All from the menu, wait until no cell is running or queued."""
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            f"() => ({_JS_PROMPTS})().every(p => !/\\d/.test(p))", timeout=10_000
        )
        self.menu("Run", "Run All Cells")
        end = time.monotonic() + timeout
        agree = 0
        prompts = []
        while time.monotonic() < end:
            prompts = self.page.evaluate(_JS_PROMPTS)
            ui = self.page.evaluate(_JS_STATUS)
            ran = any(any(ch.isdigit() for ch in p) for p in prompts)
            busy = any("*" in p for p in prompts)
            ok = ran and not busy and ui and ui["status"] == "idle"
            agree = agree + 1 if ok else 0
            if agree >= 3:
                self.mark("ran all")
                return prompts
            time.sleep(0.2)
        raise LessonError(f"{self.path}: cells still running after {timeout:.0f} s: {prompts}")

    def problems(self):
        """Error outputs: tracebacks, anything on stderr, widgets that failed to render."""
        return self.page.evaluate(_JS_PROBLEMS)

    def explorers(self):
        return self.page.evaluate(_JS_EXPLORERS)

    def stray_sliders(self):
        return self.page.evaluate(_JS_STRAY_SLIDERS)

    def wait_explorers(self, expected_min: int, timeout=30.0):
        """Wait until ``expected_min`` explorers are rendered, each with its image and sliders."""
        js = f"""() => {{
            const e = ({_JS_EXPLORERS})();
            return e.length >= {expected_min} && e.every(x => x.images > 0 && x.size[0] > 0
                   && x.sliders.length > 0
                   && x.sliders.every(s => s.value !== '' && s.handle === 1));
        }}"""
        try:
            self.page.wait_for_function(js, timeout=timeout * 1000)
        except Exception as exc:
            raise LessonError(
                f"{self.path}: expected at least {expected_min} rendered explorer(s) "
                f"(image + sliders), found {self.explorers()}"
            ) from exc
        return self.explorers()

    def explorer_view(self, index: int):
        return self._box(index).evaluate(_JS_EXPLORER_VIEW)

    def static_picture_shown(self, index: int):
        return self._box(index).evaluate(_JS_STATIC_HIDDEN)

    def move_slider(self, box_index: int, slider_index: int, presses=3, timeout=20.0):
        """Focus the slider's handle and press ArrowRight (ArrowLeft at the top of its range).

        Returns the explorer's views (before, after), each once the kernel is idle and the view
        stable; after waits (up to ``timeout``) for the figure or the readout to differ."""
        box = self._box(box_index)
        slider = box.locator(".widget-slider").nth(slider_index)
        handle = slider.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        before = self.settle(box_index, timeout)
        at_max = slider.evaluate(
            """s => { const t = s.querySelector('.noUi-target');
                      if (!t || !t.noUiSlider) return false;
                      const v = Number(t.noUiSlider.get()), r = t.noUiSlider.options.range;
                      return v >= r.max; }"""
        )
        handle.focus()
        for _ in range(presses):
            handle.press("ArrowLeft" if at_max else "ArrowRight")
        moved = self._poll(
            box_index, lambda v: v["values"][slider_index] != before["values"][slider_index], 5.0
        )
        if moved["values"][slider_index] == before["values"][slider_index]:
            return before, moved
        self._poll(
            box_index,
            lambda v: (v["image"], v["readout"]) != (before["image"], before["readout"]),
            timeout,
        )
        # The figure and the readout arrive in separate messages: wait for the last one.
        return before, self.settle(box_index, timeout)

    def _box(self, index):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .rnnlib-explorer").nth(
            index
        )

    def _poll(self, box_index, done, timeout):
        end = time.monotonic() + timeout
        view = self.explorer_view(box_index)
        while not done(view) and time.monotonic() < end:
            time.sleep(0.05)
            view = self.explorer_view(box_index)
        return view

    def settle(self, box_index, timeout=20.0):
        """The explorer's view once the kernel is idle and the view the same on three looks."""
        end = time.monotonic() + timeout
        last, same = None, 0
        while time.monotonic() < end:
            view = self.explorer_view(box_index)
            ui = self.page.evaluate(_JS_STATUS)
            idle = ui is not None and ui["status"] == "idle"
            same = same + 1 if (view == last and idle) else 0
            last = view
            if same >= 2:
                break
            time.sleep(0.1)
        return last

    def screenshot_explorer(self, index: int, path: Path):
        box = self._box(index)
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(path))

    def scroll_to_explorer(self, index: int):
        self._box(index).scroll_into_view_if_needed()

    def screenshot(self, path: Path):
        self.page.screenshot(path=str(path))
