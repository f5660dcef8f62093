"""Publishing to the Hugging Face Hub: checkpoint -> validation -> bundle -> Hub.

>>> from stick_gen.hub.push import PushOptions, push
>>> result = push(PushOptions(checkpoint="checkpoints/best_model.pt", variant="medium", version="1.0.0"))  # doctest: +SKIP

Modules, in the order the data flows: :mod:`.naming` (repositories, cards, versions),
:mod:`.validate`, :mod:`.bundle`, :mod:`.upload`, :mod:`.cards` (model cards), :mod:`.push`
(all of it), :mod:`.login` (``stick-gen login``: the guide's ``huggingface-cli login``). Nothing is
imported here, so ``stick-gen --help`` stays fast. See docs/publishing.md.
"""
