"""newsrisk: a self-hosted, real-time financial news risk monitor."""

__version__ = "0.1.0"
