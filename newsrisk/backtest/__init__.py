"""Backtests: the live core offline over an archive, scored against price drops."""

from newsrisk.backtest.core import alerts_from_windows, run_backtest_core, run_core

__all__ = ["alerts_from_windows", "run_backtest_core", "run_core"]
