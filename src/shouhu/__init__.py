"""Shouhu (守护): the civil affairs epidemic-prevention campaign system."""
