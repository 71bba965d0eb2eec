"""Jupyter server settings of the course's JupyterLab (`make lab` loads this folder through
JUPYTER_CONFIG_PATH; your own ~/.jupyter config still applies and wins where both set something).

- Saving a notebook keeps the notebook-level metadata the file already had for the kernel
  (``kernelspec``, ``language_info``, ``widgets``): JupyterLab would otherwise write this machine's
  kernel name and Python version into every lesson you open and save, so ``git status`` shows it
  modified and ``git pull`` of a course update can conflict. Your cells, outputs and any other
  metadata are saved as usual.
- No news feed, no update check (nothing reads the network); the "get notified about Jupyter
  news?" pop-up is turned off in ``labconfig/page_config.json``.
- Workspaces (the open tabs) live in a folder that is new at every start: the next start does not
  reopen every notebook of last time, each with a kernel of its own.
- A kernel that no tab shows (its notebook was closed) is shut down once it has been idle for
  CULL_IDLE_MINUTES: JupyterLab leaves it running, and a learner who works through the course
  would otherwise hold a kernel per notebook opened, about 100 MiB each (benchmarks/RESULTS.md,
  section 6); on a hub or Binder that runs into the memory limit. The kernel of an open notebook
  is never shut down, however long it idles; a closed notebook opened again gets a new kernel
  (its stored outputs are there, Run All brings back its variables and sliders).
"""

import atexit
import json
import shutil
import tempfile
import warnings

# Minutes an idle kernel that no tab shows is kept (checked every minute).
CULL_IDLE_MINUTES = 10
# Notebook metadata that depends on the machine that saved the notebook, not on the notebook.
KEPT_METADATA = ("kernelspec", "language_info", "widgets")


def keep_stored_metadata(model, path, contents_manager, **kwargs):
    """ContentsManager.pre_save_hook: restore KEPT_METADATA from the file about to be overwritten.

    A key the stored file does not have is dropped from the saved notebook; a new notebook (no
    file yet) is saved as JupyterLab sends it."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    try:
        os_path = contents_manager._get_os_path(path)
        with open(os_path, encoding="utf-8") as f:
            stored = json.load(f).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return
    metadata = model["content"].setdefault("metadata", {})
    for key in KEPT_METADATA:
        if key in stored:
            metadata[key] = stored[key]
        else:
            metadata.pop(key, None)


c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)
c.ContentsManager.pre_save_hook = keep_stored_metadata
# notebook_shim applies the server's config a second time at start-up, and jupyter_server warns
# about any second hook, even this same one: silence that case only (a different hook still warns)
warnings.filterwarnings(
    "ignore",
    message=r"Overriding existing pre_save_hook \(keep_stored_metadata\) with a new one "
    r"\(keep_stored_metadata\)",
)
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.workspaces_dir = tempfile.mkdtemp(prefix="rnn-course-workspaces-")
atexit.register(shutil.rmtree, c.LabApp.workspaces_dir, ignore_errors=True)
c.MappingKernelManager.cull_idle_timeout = CULL_IDLE_MINUTES * 60
c.MappingKernelManager.cull_interval = 60
# (the defaults, said here) a kernel a tab is connected to, or one that is running a cell, stays
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
