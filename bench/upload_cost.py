"""What a Space upload costs the server: CPU and wall time of indexing N demo songs through the upload handler.

The Space indexes an upload in one worker (``concurrency_id="index"``): every visitor's upload waits behind the one
being indexed, so the upload caps (``lyricmood.ui_uploads``) are set from this cost. Also times the refusal of a
1.5 MB CSV of 200,000 columns (it cost 654 s when the header was checked quadratically).

    python bench/upload_cost.py [--songs 10 40] [--tiny]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import print_machine, print_table, recommender as make_recommender, space_env

space_env()


def write_csv(path: Path, songs: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "title", "artist", "year", "lyrics"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(songs)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs", type=int, nargs="+", default=[10, 40], help="upload sizes to time (demo songs)")
    parser.add_argument("--tiny", action="store_true", help="a tiny random model instead of the default one")
    args = parser.parse_args()
    print_machine()
    from lyricmood.catalog import read_songs
    from lyricmood.errors import LyricMoodError
    from lyricmood.testing import demo_songs
    from lyricmood.ui_handlers import SpaceHandlers

    handlers = SpaceHandlers(make_recommender(args.tiny))
    songs, rows, folder = demo_songs(), [], Path(tempfile.mkdtemp(prefix="lyricmood-upload-cost-"))
    handlers.upload_catalog(str(write_csv(folder / "warm.csv", songs[:2])), "en")  # model loaded, caches warm
    for n in args.songs:
        path = write_csv(folder / f"songs{n}.csv", (songs * (n // len(songs) + 1))[:n])
        chars = sum(len(song["lyrics"]) for song in read_songs([path]))
        cpu, wall = time.process_time(), time.perf_counter()
        upload, message, *_ = handlers.upload_catalog(str(path), "en")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert upload is not None, message
        rows.append((n, path.stat().st_size / 1024, chars, wall, cpu, wall / chars * 10_000))
    print_table(rows, ("songs", "KB", "lyrics chars", "wall s", "CPU s", "wall s per 10k chars"))
    wide = folder / "wide.csv"
    wide.write_text(",".join(["id", "title", "lyrics"] + [f"c{i}" for i in range(200_000)]) + "\na,A,x\n")
    start = time.perf_counter()
    try:
        read_songs([wide])
    except LyricMoodError as err:
        print(f"\n{wide.stat().st_size / 2**20:.1f} MB CSV of 200,003 columns refused in "
              f"{(time.perf_counter() - start) * 1000:.1f} ms: {err}")


if __name__ == "__main__":
    main()
