"""Procedural training data: text -> plan -> (plan + latents) -> stick-figure motion -> files.

``actions`` (the 64 classes), ``latents`` (the slots of z), ``plans`` and ``text`` (what a sentence says
and how), ``body`` and ``motions`` (how each action moves), ``synth`` (plan + z -> motion), ``scenes``
(whole scenes with physics), ``dataset`` (files on disk), ``examples`` (the contact sheet). See docs/data.md.
"""
