"""stick-gen studio: type a sentence in a browser and watch it move (Gradio, the ``studio`` extra).

- :mod:`.models`: which model to run, loading it, the facts its model panel shows
- :mod:`.takes`: generating a take, the downloads, opening a ``.motion`` file (no web code)
- :mod:`.player`: a take as the JSON document the page's canvas player (``player.js``) draws and plays
- :mod:`.app`: the page, a thin layer over the two above, and serving it

>>> from stick_gen.studio import open_studio
>>> url = open_studio(checkpoint="checkpoints/best_model.pt", block=False)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Optional

from ..errors import StickGenError

INSTALL_HINT = 'the studio needs Gradio: pip install "stick-gen[studio]" (or pip install ".[studio]" in a checkout)'


def require_gradio() -> None:
    """A one-line :class:`StickGenError` when Gradio is not installed."""
    import importlib.util

    if importlib.util.find_spec("gradio") is None:
        raise StickGenError(INSTALL_HINT)


def open_studio(checkpoint: Optional[str] = None, model: Optional[str] = None, host: Optional[str] = "127.0.0.1",
                port: Optional[int] = 7860, *, block: bool = True, allow_hub_models: bool = True,
                title: str = "stick-gen studio"):
    """Load the model (as ``stick-gen generate`` would), build the page and serve it.

    Returns ``(url, app)``; with ``block`` it returns only after the server stops (Ctrl-C).
    """
    from .app import Studio, build_app, launch
    from .models import resolve_source

    require_gradio()
    source = resolve_source(checkpoint, model)
    studio = Studio(source, allow_hub_models=allow_hub_models)
    app = build_app(studio, title=title)
    if not block:
        return launch(app, host, port, block=False), app
    url = launch(app, host, port, block=False)
    print(f"stick-gen studio: {url} (model {source.label}); Ctrl-C stops it", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()
        studio.workspace.remove()
    return url, app
