"""Renderer backends; every module here registers itself in ``RENDERERS``."""
