"""The studio's page (Gradio): prompt -> animation, downloads, the model panel, a ``.motion`` player.

Every event handler is a thin wrapper over :mod:`.takes` and :mod:`.models`: it turns a
:class:`~stick_gen.errors.StickGenError` into one line in the page's status box, and any
other failure into one line too (the traceback goes to the server's log, never to the page), so
the server keeps serving. Requests queue: one generation at a time (two cores gain nothing from
two), the downloads of the previous take rendered alongside.

>>> studio = Studio(ModelSource.local("checkpoints/best_model.pt"))    # doctest: +SKIP
>>> url = launch(build_app(studio), host="127.0.0.1", port=7860, block=False)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

from ..errors import GenerationError, StickGenError
from .models import ModelFacts, ModelSource, load_pipeline, model_facts
from .player import PLAYER_CSS, PLAYER_HTML, player_script
from .takes import (
    ACTOR_CHOICES, DEFAULT_SIZE, MAX_SEED, SIZES, TakeRequest, Workspace, file_stem, generate_take, open_motion,
    write_downloads,
)

EXAMPLES = (
    ("A person walks forward and waves", "auto"),
    ("Two people playing catch", "auto"),
    ("a tall man jogs to the left, then sits down", "auto"),
    ("A person hops in place", "1"),
    ("three friends play catch", "3"),
)
"""The README's prompts (one and two actors) and a three-person scene: (prompt, actors)."""
MAX_LOADED_MODELS = 3
"""Models kept in memory; loading a fourth forgets the least recently used (never the studio's own)."""
MAX_UPLOAD = "64mb"
"""The largest upload the page accepts: a ``.motion`` file may be at most 64 MiB (animation.MAX_MOTION_BYTES)."""
CSS = ".studio-error {color: #b42318; font-weight: 600}"


class Studio:
    """The server's state: the models it has loaded (by label) and a workspace for files.

    ``allow_hub_models``: whether the page may load other models from the Hub (a local path never:
    the page must not read the server's files).
    """

    def __init__(self, source: ModelSource, pipe=None, *, allow_hub_models: bool = True,
                 workspace: Optional[Workspace] = None) -> None:
        self.default = source
        self.allow_hub_models = allow_hub_models
        self.workspace = workspace or Workspace.create()
        self._models: "OrderedDict[str, Tuple[Any, ModelFacts]]" = OrderedDict()
        self._lock = threading.Lock()
        pipe = pipe if pipe is not None else load_pipeline(source)
        self._models[source.label] = (pipe, model_facts(pipe, source))

    def model(self, label: Optional[str]) -> Tuple[Any, ModelFacts]:
        """``(pipeline, facts)`` of a loaded model; the studio's own for an unknown or missing label."""
        with self._lock:
            if label in self._models:
                self._models.move_to_end(label)
                return self._models[label]
            return self._models[self.default.label]

    def load_hub_model(self, spec: str) -> Tuple[str, ModelFacts]:
        """Load ``owner/name[@revision]`` from the Hub (or reuse it); its label and facts."""
        source = ModelSource.hub(spec)
        if not self.allow_hub_models and source.label != self.default.label:
            raise GenerationError("this studio shows one model only; run `stick-gen studio --model "
                                  f"{source.label}` to try another")
        with self._lock:
            if source.label in self._models:
                return source.label, self._models[source.label][1]
        pipe = load_pipeline(source)
        facts = model_facts(pipe, source)
        with self._lock:
            self._models[source.label] = (pipe, facts)
            while len(self._models) > MAX_LOADED_MODELS:
                oldest = next(k for k in self._models if k != self.default.label)
                del self._models[oldest]
        return source.label, facts


@dataclass
class TakeRef:
    """What the page remembers of the last take, to render its downloads."""

    animation: Any
    size: int
    folder: Path
    stem: str
    motion: bool = True


def error_message(err: BaseException) -> str:
    """One readable line for the page: the StickGenError's own, or a short one for anything else.

    >>> error_message(GenerationError("the prompt is empty"))
    '<span class="studio-error">Error: the prompt is empty</span>'
    """
    if isinstance(err, StickGenError):
        text = str(err)
    else:
        text = (f"something went wrong inside the studio ({type(err).__name__}: "
                f"{' '.join(str(err).split())[:160]}); the server log has the details")
    return f'<span class="studio-error">Error: {_escape(text)}</span>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _guarded(fallback: Callable[[str], tuple]) -> Callable[[Callable[..., tuple]], Callable[..., tuple]]:
    """Decorator: the handler's result, or ``fallback(message)`` when it raises (logged if unexpected)."""

    def wrap(handler: Callable[..., tuple]) -> Callable[..., tuple]:
        def run(*args: Any) -> tuple:
            try:
                return handler(*args)
            except StickGenError as err:
                return fallback(error_message(err))
            except Exception as err:  # a bug must not take the page down: one line there, the traceback here
                traceback.print_exc(file=sys.stderr)
                return fallback(error_message(err))

        run.__name__ = handler.__name__
        return run

    return wrap


def build_app(studio: Studio, title: str = "stick-gen studio"):
    """The Gradio ``Blocks`` of ``studio``, queued (one generation at a time); not yet launched."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    pipe, facts = studio.model(None)
    max_seconds = facts.clip_seconds

    @_guarded(lambda message: (None, "", message, None))
    def generate(label, prompt, seed, actors, duration, size):
        started = time.perf_counter()
        pipe, _ = studio.model(label)
        request = TakeRequest(prompt, seed, actors, duration, size)
        take = generate_take(pipe, request, studio.workspace.new_folder())
        anim = take.animation
        summary = (f"{anim.num_actors} actor{'s' * (anim.num_actors > 1)}, {anim.duration_s:g} s at {anim.fps} fps, "
                   f"seed {anim.seed}: ready in {time.perf_counter() - started:.2f} s")
        notes = "".join(f"  \nNote: {_escape(note)}" for note in take.notes)
        ref = TakeRef(anim, int(float(size)), take.folder, file_stem(anim.prompt, anim.seed))
        return take.player, take.labels, summary + notes, ref

    @_guarded(lambda message: (None, None, message))
    def downloads(ref: Optional[TakeRef]):
        if ref is None:  # the take failed: the status box says why
            return None, None, ""
        files = write_downloads(ref.animation, ref.size, ref.folder, ref.stem, motion=ref.motion)
        return str(files.filmstrip), [str(p) for p in files.files()], ""

    @_guarded(lambda message: (None, "", message, None))
    def play_motion(upload, size):
        if upload is None:
            return None, "", "", None
        path = Path(upload if isinstance(upload, (str, Path)) else getattr(upload, "name", upload))
        take = open_motion(path, size, studio.workspace.new_folder())
        anim = take.animation
        summary = (f"{path.name}: {anim.num_frames} frames at {anim.fps} fps, {anim.num_actors} "
                   f"actor{'s' * (anim.num_actors > 1)}" + (f', "{_escape(anim.prompt[:120])}"' if anim.prompt else ""))
        stem = file_stem(path.stem, None)
        return take.player, take.labels, summary, TakeRef(anim, int(float(size)), take.folder, stem, motion=False)

    @_guarded(lambda message: (gr.update(), gr.update(), message))
    def load_model(spec):
        label, loaded = studio.load_hub_model(spec)
        return label, loaded.markdown(), f"Loaded {_escape(label)}: Generate now uses it."

    def random_seed() -> int:
        return random.randrange(0, 2**31)

    def player(elem_id: str):
        # The animation plays in a canvas from the poses (player.py, player.js): no video to encode first.
        return gr.HTML(None, html_template=PLAYER_HTML, css_template=PLAYER_CSS, js_on_load=player_script(),
                       elem_id=elem_id, label="Animation", min_height=200)

    with gr.Blocks(title=title, delete_cache=(600, 3600)) as app:
        model_label = gr.State(studio.default.label)
        take_ref = gr.State(None)
        motion_ref = gr.State(None)
        gr.Markdown(f"# {title}\nType what the stick figures do, then **Generate**. "
                    f"Model: `{_escape(studio.default.label)}` (see the Model tab).")
        with gr.Tab("Generate"):
            with gr.Row():
                with gr.Column(scale=1):
                    prompt = gr.Textbox(label="Prompt", lines=2, max_lines=6, elem_id="prompt",
                                        placeholder="A person walks forward and waves")
                    actors = gr.Radio(list(ACTOR_CHOICES), value="auto", label="Actors", elem_id="actors")
                    gr.Examples([list(e) for e in EXAMPLES], inputs=[prompt, actors], label="Examples (click one)")
                    with gr.Row():
                        seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed",
                                         elem_id="seed", scale=3)
                        dice = gr.Button("Random seed", elem_id="random-seed", scale=1)
                    duration = gr.Slider(0.5, max_seconds, value=max_seconds, step=0.5, label="Duration (s)",
                                         elem_id="duration")
                    size = gr.Dropdown(list(SIZES), value=DEFAULT_SIZE, label="Frame size (pixels)", elem_id="size")
                    go = gr.Button("Generate", variant="primary", elem_id="generate")
                    status = gr.Markdown("", elem_id="status")
                with gr.Column(scale=1):
                    screen = player("player")
                    labels = gr.Markdown("", elem_id="labels")
            filmstrip = gr.Image(label="Filmstrip", type="filepath", interactive=False, elem_id="filmstrip")
            files = gr.File(label="Downloads (GIF, MP4, .motion)", file_count="multiple", interactive=False,
                            elem_id="downloads")
            files_status = gr.Markdown("", elem_id="downloads-status")
        with gr.Tab("Play a .motion file"):
            with gr.Row():
                with gr.Column(scale=1):
                    upload = gr.File(label=".motion file", file_types=[".motion"], type="filepath",
                                     elem_id="motion-upload")
                    motion_size = gr.Dropdown(list(SIZES), value=DEFAULT_SIZE, label="Frame size (pixels)")
                    motion_status = gr.Markdown("", elem_id="motion-status")
                with gr.Column(scale=1):
                    motion_screen = player("motion-player")
                    motion_labels = gr.Markdown("", elem_id="motion-labels")
            motion_strip = gr.Image(label="Filmstrip", type="filepath", interactive=False, elem_id="motion-filmstrip")
            motion_files = gr.File(label="Converted (GIF, MP4)", file_count="multiple", interactive=False,
                                   elem_id="motion-downloads")
            motion_files_status = gr.Markdown("", elem_id="motion-downloads-status")
        with gr.Tab("Model"):
            panel = gr.Markdown(facts.markdown(), elem_id="model-panel")
            if studio.allow_hub_models:
                with gr.Row():
                    other = gr.Textbox(label="Load another model from the Hub", placeholder="owner/name@revision",
                                       elem_id="hub-model", scale=4)
                    load = gr.Button("Load", elem_id="load-model", scale=1)
                load_status = gr.Markdown("", elem_id="load-status")
                load.click(load_model, [other], [model_label, panel, load_status], concurrency_id="model")

        dice.click(random_seed, outputs=seed, queue=False)
        # Progress shows on the status line only: the player keeps playing the last take until the next one
        # arrives, and the page has less to redraw (a take plays about 0.1 s sooner, docs/PERFORMANCE.md).
        generated = go.click(generate, [model_label, prompt, seed, actors, duration, size],
                             [screen, labels, status, take_ref], concurrency_id="model", concurrency_limit=1,
                             show_progress_on=[status])
        generated.then(downloads, [take_ref], [filmstrip, files, files_status], concurrency_id="render",
                       concurrency_limit=1)
        prompt.submit(generate, [model_label, prompt, seed, actors, duration, size],
                      [screen, labels, status, take_ref], concurrency_id="model", show_progress_on=[status]).then(
            downloads, [take_ref], [filmstrip, files, files_status], concurrency_id="render")
        opened = upload.upload(play_motion, [upload, motion_size], [motion_screen, motion_labels, motion_status,
                                                                    motion_ref], concurrency_id="render",
                               show_progress_on=[motion_status])
        opened.then(downloads, [motion_ref], [motion_strip, motion_files, motion_files_status],
                    concurrency_id="render")
    app.queue(default_concurrency_limit=1, max_size=256)
    return app


def launch(app, host: Optional[str] = "127.0.0.1", port: Optional[int] = 7860, *, block: bool = True,
           quiet: bool = True) -> str:
    """Serve ``app``; returns its local URL (after the server stops when ``block``).

    ``host``/``port`` None leave them to Gradio, which reads ``GRADIO_SERVER_NAME`` and
    ``GRADIO_SERVER_PORT`` (a Hugging Face Space sets them).
    """
    try:
        app.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=quiet, show_error=False,
                   max_file_size=MAX_UPLOAD, css=CSS, ssr_mode=False)
    except OSError as err:
        where = f"{host or '0.0.0.0'}:{port}"
        raise GenerationError(f"cannot serve the studio on {where} ({' '.join(str(err).split())[:160]}); "
                              f"pass another --port, e.g. --port {int(port or 7860) + 1}") from None
    url = str(app.local_url)
    if block:
        try:
            app.block_thread()
        finally:
            app.close()
    return url
