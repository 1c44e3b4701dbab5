"""newsrisk.core"""
