"""Spoken commands, with their timing, and the home they are said in."""
