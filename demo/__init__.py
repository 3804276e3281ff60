"""The Gradio demo: paste Korean news articles, compare TextRank and KoBART briefings side by side.

Start it with ``python -m demo.app`` (binds 127.0.0.1; ``--host``/``--port`` to change).
"""
