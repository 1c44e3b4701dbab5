"""newsrisk.ingest"""
