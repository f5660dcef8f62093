"""How long the text encoder takes: import, first load, and encoding 1 and 64 prompts.

    python bench/bench_text_encoder.py                 # MiniLM, the default
    python bench/bench_text_encoder.py --encoder hashing --repeats 20

Run it as a fresh process: the import and load times are only cold once per process.
"""

from __future__ import annotations

import argparse
import statistics
import time

_START = time.perf_counter()

import torch  # noqa: E402  (timed on purpose)

_TORCH_DONE = time.perf_counter()

from stick_gen.inference.text_encoder import load_text_encoder  # noqa: E402

_MODULE_DONE = time.perf_counter()

PROMPTS = [
    "a person walks forward", "someone jumps twice", "two people playing catch", "a man waves hello",
    "a child runs in a circle", "a person sits down slowly", "a dancer spins on one foot",
    "someone kicks a ball to the left",
]


def _median_ms(encode, prompts, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        encode(prompts)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="minilm", help="identity or alias (minilm, bge, hashing)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    start = time.perf_counter()
    encoder = load_text_encoder(args.encoder, args.device)
    loaded = time.perf_counter()
    encoder.encode([PROMPTS[0]])
    first = time.perf_counter()

    one = _median_ms(encoder.encode, [PROMPTS[1]], args.repeats)
    batch = [f"{PROMPTS[i % len(PROMPTS)]} number {i}" for i in range(64)]
    sixty_four = _median_ms(encoder.encode, batch, args.repeats)

    print(f"encoder            {encoder.identity} on {encoder.device}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"import torch       {(_TORCH_DONE - _START) * 1000:8.1f} ms")
    print(f"import module      {(_MODULE_DONE - _TORCH_DONE) * 1000:8.1f} ms  (stick_gen.inference.text_encoder)")
    print(f"load encoder       {(loaded - start) * 1000:8.1f} ms")
    print(f"first encode (1)   {(first - loaded) * 1000:8.1f} ms")
    print(f"encode 1 prompt    {one:8.1f} ms  (median of {args.repeats})")
    print(f"encode 64 prompts  {sixty_four:8.1f} ms  (median of {args.repeats}; "
          f"{sixty_four / 64:.2f} ms per prompt)")
    print(f"import->first vector {(first - _START) * 1000:6.1f} ms  (what `stick-gen generate` pays cold)")


if __name__ == "__main__":
    main()
