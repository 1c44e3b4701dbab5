"""newsrisk.storage"""
