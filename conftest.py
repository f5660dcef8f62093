"""Set-up for the examples in stick_gen's docstrings (``--doctest-modules``; the tests' own fixtures are in
tests/conftest.py): each example runs in a fresh temporary directory, so the files it writes land there, and
finds made: ``anim``, one actor throwing a ball for 10 seconds from the procedural generator, and ``model`` with
its ``encoder``, the tests' tiny untrained model (about 200K parameters) on the hashing text encoder."""

from __future__ import annotations

import functools

import pytest
from _pytest.doctest import DoctestItem


@functools.lru_cache(maxsize=1)
def example_animation():
    import numpy as np

    from stick_gen.data_gen.actions import ACTIONS
    from stick_gen.data_gen.scenes import generate_scene
    from stick_gen.inference.animation import Animation

    scene = generate_scene(np.random.default_rng(0), num_actors=1, actions=["throw"])
    return Animation(scene.poses, scene.actions, tuple(ACTIONS), fps=25, prompt=scene.text)


@functools.lru_cache(maxsize=1)
def example_model():
    from stick_gen.inference.text_encoder import HASHING_IDENTITY, load_text_encoder
    from tests.support import tiny_transformer

    return tiny_transformer(text_encoder=HASHING_IDENTITY), load_text_encoder("hashing")


@pytest.fixture(autouse=True)
def _doctest_setup(request):
    if isinstance(request.node, DoctestItem):
        request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
        namespace = request.getfixturevalue("doctest_namespace")
        namespace["anim"] = example_animation()
        namespace["model"], namespace["encoder"] = example_model()
