"""newsrisk.dashboards"""
