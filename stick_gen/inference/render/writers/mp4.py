"""MP4: H.264 through imageio-ffmpeg's ffmpeg, fed palette frames.

>>> render_mp4(anim, "walk.mp4", size=512)
PosixPath('walk.mp4')
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional, Sequence, Tuple

import numpy as np

from ....model.errors import GenerationError
from ...animation import Animation, PathLike, atomic_output
from ..raster import DEFAULT_SIZE, PALETTE, FrameDrawer, Size, frame_size
from . import playback_fps


MP4_ENCODER: Tuple[str, ...] = (
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "20", "-preset", "veryfast", "-x264-params", "subme=1:me=dia",
)  # fmt: skip
"""x264 settings: encoding is most of an MP4's cost. veryfast with the cheapest motion search takes ~40%
less time than plain veryfast for ~5% more bytes on stick figures; see bench/bench_render.py."""


def render_mp4(
    anim: Animation, path: PathLike, size: Size = DEFAULT_SIZE, fps: Optional[int] = None, caption: bool = True,
    encoder: Sequence[str] = MP4_ENCODER,
) -> Path:
    """Write ``anim`` as an H.264 MP4 (yuv420p; odd sizes are rounded up to even, as the codec needs).

    Frames go to imageio-ffmpeg's ffmpeg as palette images (``pal8``), a third of the bytes of RGB;
    ``encoder`` is ffmpeg's output options (e.g. a faster x264 preset, trading bytes for speed).

    >>> render_mp4(anim, "walk.mp4", size=512)
    PosixPath('walk.mp4')
    """
    import imageio_ffmpeg

    rate = playback_fps(anim, fps)
    width, height = frame_size(size)
    width, height = width + width % 2, height + height % 2
    drawer = FrameDrawer(anim, (width, height), caption)
    # ffmpeg's raw pal8 frame is the indices followed by 256 palette entries as native-endian 0xAARRGGBB.
    rgb = np.frombuffer(PALETTE, np.uint8).reshape(-1, 3).astype(np.uint32)
    argb = np.zeros(256, dtype="=u4")
    argb[: len(rgb)] = 0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    palette_bytes = argb.tobytes()
    target = Path(path)
    with atomic_output(target) as tmp:
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error",
            "-f", "rawvideo", "-pix_fmt", "pal8", "-s", f"{width}x{height}", "-r", str(rate), "-i", "-",
            *encoder, "-movflags", "+faststart", "-f", "mp4", str(tmp),
        ]  # fmt: skip
        try:
            ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as err:
            raise GenerationError(f"cannot start ffmpeg to write {target}: {err}; reinstall imageio-ffmpeg") from err
        with ffmpeg:
            try:
                for t in range(anim.num_frames):
                    ffmpeg.stdin.write(drawer.indices(t).tobytes() + palette_bytes)
                ffmpeg.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg stopped early; its exit status and message say why
            except BaseException:
                ffmpeg.kill()
                raise
            # -v error keeps stderr to a few lines, so reading it only now cannot block ffmpeg.
            errors = ffmpeg.stderr.read().decode(errors="replace").strip()
            code = ffmpeg.wait()
        if code != 0:
            raise GenerationError(f"ffmpeg could not write {target} (exit status {code}): {errors or 'no message'}")
    return target



def write(anim: Animation, path: Path, *, size: Size, fps: Optional[int], caption: bool) -> Path:
    """The registry's writer: :func:`render_mp4`."""
    return render_mp4(anim, path, size=size, fps=fps, caption=caption)
