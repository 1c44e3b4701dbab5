"""newsrisk.classifiers"""
