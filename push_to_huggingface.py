"""Upload a stick-gen checkpoint to the Hugging Face Hub: the same command as `stick-gen push` (see --help)."""
import sys
from stick_gen.cli import main
sys.exit(main(["push", *sys.argv[1:]]))
