"""`python -m qrshop ...`: the `qrshop` command (the demo starts its worker this way)."""

from qrshop.cli import main

main(prog_name="qrshop")
