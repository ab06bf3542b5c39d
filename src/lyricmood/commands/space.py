"""``lyricmood space``: serve the Gradio app (the same one as the Hugging Face Space) locally."""

from __future__ import annotations

import argparse

from . import port_number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "space",
        help="serve the recommendation web app (Gradio) locally",
        description="Serve the lyricmood Space: similar songs, mood search and your own catalog, in a browser.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for the network)")
    parser.add_argument("--port", type=port_number, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="also open a temporary public gradio.live link")
    parser.add_argument("--model", default=None,
                        help="a trained model folder or Hub id (default: the embedded default model)")
    parser.add_argument("--lang", choices=("ko", "en"), default="ko", help="interface language at start (default ko)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..recommender import load_default_recommender
    from ..ui import build_demo, launch

    recommender = load_default_recommender(model_path=args.model, progress=True)
    launch(build_demo(recommender, ui_lang=args.lang), host=args.host, port=args.port, share=args.share)
    return 0
