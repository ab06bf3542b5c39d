"""Sub-commands of ``lyricmood``: one module each, found by ``lyricmood.cli``."""
