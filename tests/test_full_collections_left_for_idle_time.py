"""A resident's session leaves cyclic garbage (widget trees, closures); the full collection that
walks it took 100-700 ms and landed on a touch in about one transition in ten. After start-up
full collections are left for idle time: a session's worth of young collections runs none, and
the collection at attract (`collect_in_idle`) frees what the session left."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import gc
    from kiosk.ops.collector import collect_in_idle, freeze_after_start

    full = []
    gc.callbacks.append(lambda phase, info: phase == "stop" and info["generation"] == 2
                        and full.append(info["collected"]))
    freeze_after_start()
    full.clear()

    class Node:
        def __init__(self, parent):
            self.parent, self.children = parent, []
            if parent is not None:
                parent.children.append(self)

    kept = []
    for screen in range(3000):          # screens built and dropped during sessions
        root = Node(None)
        for _ in range(60):
            Node(root)
        if screen % 20 == 0:
            kept.append(root)           # some live on until the wipe
    middle = gc.get_stats()[1]["collections"]
    during_session = len(full)
    kept.clear()                        # the wipe
    collect_in_idle()
    print(middle, during_session, len(full), full[-1] if full else 0)
""")


def test_a_session_runs_no_full_collection_and_attract_frees_its_garbage() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    middle, during_session, after_idle, collected = (int(v) for v in out)
    # Python's default runs a full collection every 10 middle-generation ones
    assert middle >= 20, "the session made enough objects for collections to run"
    assert during_session == 0
    assert after_idle == 1
    assert collected > 1000  # dropped screens that had lived long enough to grow old
