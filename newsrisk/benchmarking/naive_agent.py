"""The naive baseline: a Faust agent that classifies each message on its own (batch of 1),
on the event loop. Usage: python -m newsrisk.benchmarking.naive_agent BROKER N OUT_JSON"""

from __future__ import annotations

import json
import os
import sys
import time

import faust


def main() -> None:
    broker, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    from newsrisk.classifiers import load_classifier

    clf = load_classifier(None, max_batch=1)
    app = faust.App("newsrisk-naive", broker=broker, broker_session_timeout=6,
                    broker_heartbeat_interval=1, web_enabled=False, store="memory://",
                    consumer_auto_offset_reset="earliest")
    topic = app.topic("bench.naive", value_serializer="raw")
    sink = app.topic("bench.naive.scored", value_serializer="raw")
    state = {"n": 0, "t_first": 0.0}

    @app.agent(topic)
    async def score(stream):  # type: ignore[no-untyped-def]
        async for value in stream:
            if state["n"] == 0:
                state["t_first"] = time.monotonic()
            rec = json.loads(value)
            pred = clf.predict([rec["text"]])[0]
            await sink.send(value=json.dumps({"id": rec["id"],
                                              "score": pred.sentiment.score}).encode())
            state["n"] += 1
            if state["n"] >= n:
                with open(out, "w") as fh:
                    json.dump({"n": n - 1, "t_first": state["t_first"],
                               "t_last": time.monotonic()}, fh)
                os._exit(0)

    faust.Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False) \
        .execute_from_commandline()


if __name__ == "__main__":
    main()
