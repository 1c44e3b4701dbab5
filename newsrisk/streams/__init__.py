"""newsrisk.streams"""
