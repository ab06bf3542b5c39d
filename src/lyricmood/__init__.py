"""lyricmood: recommend songs whose lyrics feel alike."""

__version__ = "0.1.0"
