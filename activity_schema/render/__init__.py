"""Renderers: turn result data into text, JSON and CI formats. They compute nothing."""
