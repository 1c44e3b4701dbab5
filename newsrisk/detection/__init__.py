"""newsrisk.detection"""
