"""Lianmeng (联盟): the working platform of a regional industry alliance."""
