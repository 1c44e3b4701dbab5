"""Replay: re-read a topic (by record time or offsets) or an archive into a topic or the core."""
