"""The worker's HTTP API: alerts, topics, entities, probes, and acknowledging alerts."""

from newsrisk.api.app import create_api
from newsrisk.api.server import ApiThread, run_api_in_thread

__all__ = ["ApiThread", "create_api", "run_api_in_thread"]
