"""Demo addresses: invented, in the Base Adresse Nationale's format, along the demo's invented streets."""

from pathlib import Path

from confiance.addresses.services import addresses_import

ORDER = 15  # after the territory (its communes), before anything that shows a map
ADDRESSES = Path(__file__).with_name("demo") / "adresses-demo.csv"


def load(*, actor, stdout) -> None:
    result = addresses_import(actor=actor, path=ADDRESSES)
    stdout.write(f"Adresses : {result.created} créée(s), {result.updated} déjà connue(s).")
