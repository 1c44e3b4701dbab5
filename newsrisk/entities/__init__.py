"""newsrisk.entities"""
