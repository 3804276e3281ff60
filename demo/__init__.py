"""The Gradio demo: paste Korean news articles, compare TextRank and KoBART briefings side by side.

Start it with ``ko-brief-demo``, or ``python -m demo.app`` from a clone (binds 127.0.0.1; ``--host``/
``--port`` to change). Installed, this folder is the package ``ko_brief_demo``.
"""

import os

# Before gradio is imported (demo.app imports it): no usage analytics, no hub telemetry.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
