"""``lyricmood space``: serve the Gradio app (the same one as the Hugging Face Space) locally, or
``lyricmood space export OUT``: write a Space folder ready to upload to the Hub."""

from __future__ import annotations

import argparse

from . import port_number


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "space",
        help="serve the recommendation web app (Gradio) locally, or export it as a Hugging Face Space",
        description="Serve the lyricmood Space: similar songs, mood search and your own catalog, in a browser. "
        "`lyricmood space export OUT` writes the Space as a folder to upload to the Hub instead.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for the network)")
    parser.add_argument("--port", type=port_number, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="also open a temporary public gradio.live link")
    parser.add_argument("--model", default=None,
                        help="a trained model folder or Hub id (default: the embedded default model)")
    parser.add_argument("--lang", choices=("ko", "en"), default="ko", help="interface language at start (default ko)")
    parser.set_defaults(func=run)

    # Optional: `lyricmood space` alone serves the app (its usage line shows [{export}], not a required word).
    actions = parser.add_subparsers(dest="space_action", metavar="{export}", required=False)
    parser.usage = "lyricmood space [-h] [--host HOST] [--port PORT] [--share] [--model MODEL] [--lang {ko,en}]\n" \
                   "       lyricmood space export OUT [--space-id OWNER/NAME] [--wheel WHEEL] [--overwrite]"
    export = actions.add_parser(
        "export",
        help="write a self-contained Space folder (app, card, requirements, lyricmood wheel)",
        description="Write a Hugging Face Space folder: app.py, README.md (front matter: sdk, sdk_version, "
        "python_version 3.11, license, models, datasets), requirements.txt (CPU torch) and the lyricmood wheel "
        "built from this checkout. Upload it with `hf upload OWNER/NAME OUT --repo-type space --exclude .lyricmood`.",
    )
    export.add_argument("out", metavar="OUT", help="the folder to write (new or empty; or a previous export "
                        "with --overwrite)")
    export.add_argument("--space-id", default=None, metavar="OWNER/NAME",
                        help="the Space's Hub id: requirements.txt then fetches the wheel from the Space's repository "
                        "(needed on the Hub, whose builder installs requirements before it copies the folder); "
                        "without it the wheel is named by its path in the folder (local or Docker installs)")
    export.add_argument("--wheel", default=None, help="ship this lyricmood wheel instead of building one")
    export.add_argument("--overwrite", action="store_true",
                        help="replace the files of a Space lyricmood exported into OUT before (others are kept)")
    export.set_defaults(func=run_export)


def run(args: argparse.Namespace) -> int:
    from ..demo import load_default_recommender
    from ..ui import build_demo, launch

    recommender = load_default_recommender(model_path=args.model, progress=True)
    demo = build_demo(recommender, ui_lang=args.lang)
    # quiet: Gradio's own banner says "set `share=True` in `launch()`", which a CLI user cannot do
    shown = "127.0.0.1" if args.host == "0.0.0.0" else args.host
    print(f"lyricmood space: serving on http://{shown}:{args.port} (Ctrl+C to stop"
          f"{'' if args.share else '; --share for a public link'})", flush=True)
    launch(demo, host=args.host, port=args.port, share=args.share, quiet=not args.share)  # --share: Gradio prints the link
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ..space_export import export_space

    out = export_space(args.out, space_id=args.space_id, wheel=args.wheel, overwrite=args.overwrite)
    files = ", ".join(sorted(path.name for path in out.iterdir() if not path.name.startswith(".")))
    print(f"wrote the Space to {out}: {files}")
    if args.space_id is None:
        print("to deploy it on the Hub, export again with --space-id OWNER/NAME (the Space builder installs "
              "requirements.txt before it copies the folder, so it must fetch the wheel by URL)")
    else:
        print(f"upload it with: hf upload {args.space_id} {out} --repo-type space --exclude .lyricmood")
    return 0
