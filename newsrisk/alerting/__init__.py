"""newsrisk.alerting"""
