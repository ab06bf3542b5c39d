"""The lyricmood Space: the app is built by the library (``lyricmood.ui``); this file only launches it.

Importing this module builds nothing (``build_demo`` is re-exported for tools that want the app).
"""

from lyricmood.ui import build_demo, launch

__all__ = ["build_demo"]

if __name__ == "__main__":
    # On a Space, Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT from the environment.
    import os

    launch(build_demo(), host=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"),
           port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
