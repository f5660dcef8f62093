"""Publishing costs, each against the plainest way to move the same bytes.

1. Validation + bundle of the large variant (checkpoint -> hf_upload/) against a plain copy of
   the checkpoint file (goal: <= 1.3x). Both a plain state dict (the spec's pytorch_model.bin) and
   a training checkpoint with optimizer state are measured. Copy and bundle runs alternate, so
   that a change in the machine's load hits both; CPU seconds (all threads) are shown beside the
   wall times because on a shared machine they move less.
2. Upload of that bundle to the local Hub (one commit, LFS) against raw HTTP PUTs of the same
   files' bytes to a loopback server that writes them to disk.
3. Re-upload of the unchanged bundle: bytes of large files sent (goal: 0).

    python bench/bench_publish.py [--repeats 5] [--bundle-only]
"""

from __future__ import annotations

import argparse
import http.client
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, List

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, median_seconds  # noqa: E402

from stick_gen.hub.bundle import Bundle, build_bundle  # noqa: E402
from stick_gen.hub.cards import read_card  # noqa: E402
from stick_gen.hub.upload import HubTarget, upload_bundle  # noqa: E402
from stick_gen.hub.validate import check_card, check_shipped_files, inspect_checkpoint  # noqa: E402
from stick_gen.model.checkpoint import save_training_checkpoint  # noqa: E402
from stick_gen.model.transformer import StickFigureTransformer  # noqa: E402
from stick_gen.model.variants import get_variant  # noqa: E402
from stick_gen.resources import resource_path  # noqa: E402
from stick_gen.testing.local_hub import LFS_UPLOAD_PATH, LocalHub, hub_environment  # noqa: E402

TOKEN = "hf_bench0token0abcdefghijklmnopqrstuvwxyz"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def alternating(first: Callable[[], object], second: Callable[[], object], repeats: int) -> List[float]:
    """Run ``first`` and ``second`` in turns ``repeats`` times; median wall and CPU seconds of each:
    ``[wall first, wall second, cpu first, cpu second]``."""
    runs: List[List[float]] = [[], [], [], []]
    for _ in range(repeats):
        for i, fn in enumerate((first, second)):
            wall, cpu = time.perf_counter(), _cpu_seconds()
            fn()
            runs[i].append(time.perf_counter() - wall)
            runs[i + 2].append(_cpu_seconds() - cpu)
    return [statistics.median(r) for r in runs]


def validate_and_bundle(checkpoint: Path, out: Path) -> Bundle:
    """What `stick-gen push --no-upload` does after parsing its flags."""
    inspected = inspect_checkpoint(checkpoint, "large")
    card_path = resource_path("model_cards", "large.md")
    check_card(read_card(card_path), str(card_path), "large", inspected.method, None, [card_path.parent])
    check_shipped_files("large")
    return build_bundle(inspected, card_path, out, version="1.0.0")


class _Sink(BaseHTTPRequestHandler):
    """Receives a PUT body and writes it to a file, as a storage server would."""

    protocol_version = "HTTP/1.1"
    directory: Path = Path(".")

    def do_PUT(self) -> None:  # noqa: N802 - the stdlib's name
        left = int(self.headers["Content-Length"])
        with open(self.directory / Path(self.path).name, "wb") as f:
            while left:
                piece = self.rfile.read(min(1 << 20, left))
                f.write(piece)
                left -= len(piece)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def raw_put(bundle: Bundle, port: int) -> None:
    """PUT every file of the bundle over one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for entry in bundle.files:
        path = bundle.directory / entry.path
        with open(path, "rb") as body:
            connection.request("PUT", "/" + entry.path.replace("/", "_"), body=body,
                               headers={"Content-Length": str(entry.size)})
        connection.getresponse().read()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bundle-only", action="store_true", help="measure 1. only")
    args = parser.parse_args()
    print(machine())
    v = get_variant("large")
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        root = Path(tmp)
        torch.manual_seed(0)
        model = StickFigureTransformer(d_model=v.d_model, nhead=v.nhead, num_layers=v.num_layers,
                                       text_encoder="minilm-l6-v2/lift1024-v1")
        plain = root / "pytorch_model.bin"
        torch.save(model.state_dict(), plain)
        training = root / "best_model.pt"
        optimizer = torch.optim.AdamW(model.parameters())
        model(torch.randn(2, 1024), torch.rand(2, 16)).motion.sum().backward()
        optimizer.step()  # real Adam moments: the file is about 3x the weights
        save_training_checkpoint(training, model, optimizer=optimizer, step=1)

        print(f"\n1. validation + bundle, large variant ({model.num_parameters() / 1e6:.1f}M parameters), "
              f"median of {args.repeats}")
        print(f"{'checkpoint':<34} {'size MB':>8} {'copy s':>7} {'bundle s':>9} {'ratio':>6} "
              f"{'copy cpu s':>11} {'bundle cpu s':>13}")
        for label, source in (("plain state dict (.bin)", plain), ("training checkpoint + optimizer", training)):
            validate_and_bundle(source, root / "hf_upload")  # warm-up: imports, page cache, an old bundle to replace
            shutil.copyfile(source, root / "copy.bin")
            t_copy, t_bundle, cpu_copy, cpu_bundle = alternating(
                lambda: shutil.copyfile(source, root / "copy.bin"),
                lambda: validate_and_bundle(source, root / "hf_upload"), args.repeats)
            print(f"{label:<34} {source.stat().st_size / 1e6:8.1f} {t_copy:7.3f} {t_bundle:9.3f} "
                  f"{t_bundle / t_copy:6.2f} {cpu_copy:11.3f} {cpu_bundle:13.3f}")
        bundle = validate_and_bundle(training, root / "hf_upload")
        large = [f for f in bundle.files if f.path.endswith((".bin", ".safetensors"))]
        print(f"   bundle: {len(bundle.files)} files, {bundle.size / 1e6:.1f} MB "
              f"({', '.join(f'{f.path} {f.size / 1e6:.1f} MB' for f in large)})")
        if args.bundle_only:
            return

        print("\n2. upload of the bundle vs raw HTTP PUT of the same bytes (loopback)")
        (root / "sink").mkdir()
        _Sink.directory = root / "sink"
        sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        t_raw = median_seconds(lambda: raw_put(bundle, sink.server_address[1]), repeats=args.repeats, warmup=0)
        sink.shutdown()
        with LocalHub(root / "hub", users={TOKEN: ("bench", ["GesturaAI"])}) as hub, \
                hub_environment(hub, root / "hf-home", token=TOKEN):
            target = HubTarget(token=TOKEN, endpoint=hub.endpoint)
            runs = []
            for i in range(args.repeats):
                start = time.perf_counter()
                upload_bundle(bundle, f"GesturaAI/bench-{i}", target, tag="v1.0.0")
                runs.append(time.perf_counter() - start)
            t_upload = statistics.median(runs)
            print(f"{'raw PUT s':>10} {'upload s':>9} {'ratio':>6}  ({bundle.size / 1e6:.1f} MB)")
            print(f"{t_raw:10.3f} {t_upload:9.3f} {t_upload / t_raw:6.2f}")

            print("\n3. re-upload of the unchanged bundle")
            hub.clear_requests()
            start = time.perf_counter()
            result = upload_bundle(bundle, "GesturaAI/bench-0", target, tag="v1.0.1")
            elapsed = time.perf_counter() - start
            sent = sum(r.bytes_received for r in hub.requests if r.path.startswith(LFS_UPLOAD_PATH))
            print(f"large-file bytes sent: {sent}, new commit: {result.committed}, {len(hub.requests)} requests, "
                  f"{elapsed:.3f} s")


if __name__ == "__main__":
    main()
