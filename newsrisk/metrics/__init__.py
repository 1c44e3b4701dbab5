"""newsrisk.metrics"""
