"""lyricmood: recommend songs whose lyrics feel alike.

Importing it is light (no torch, no transformers); transformers' Auto classes learn the `lyricmood` model
type when they are first imported (see `lyricmood.auto_registration`).
"""

from .auto_registration import install as _install_auto_registration

__version__ = "0.1.0"

_install_auto_registration()
