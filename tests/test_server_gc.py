"""`qrshop serve` freezes what its worker holds once the app is built, so a full garbage
collection during a request walks only that request's objects (qrshop.server)."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import gc
from qrshop import server
app = server.QrshopServer(lambda: "the app", {"bind": "127.0.0.1:0", "workers": 1})
assert gc.get_freeze_count() == 0
assert app.load() == "the app"
print(gc.get_freeze_count())
"""


def test_a_worker_freezes_its_long_lived_objects_once_its_app_is_built():
    # In a child process: freezing the test run's own objects would keep them for good.
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 10_000  # the modules' functions, types, dicts...
