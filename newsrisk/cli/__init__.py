"""newsrisk.cli"""
