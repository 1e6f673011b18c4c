"""Address test data: BAN-format CSV text written to a file, lines built from a few fields."""

from pathlib import Path

HEADER = ("id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;"
          "nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;"
          "source_position;source_nom_voie;certification_commune;cad_parcelles")


def ban_line(ban_id: str, number, street: str, *, insee: str = "91386", city: str = "Mennecy",
             postal_code: str = "91540", lon="2.4300", lat="48.5600", rep: str = "") -> str:
    return (f"{ban_id};{insee}_0001;{number};{rep};{street};{postal_code};{insee};{city};;;652000.00;6826000.00;"
            f"{lon};{lat};entrée;;;{city.upper()};;commune;commune;1;")


def ban_file(folder: Path, *lines: str, name: str = "adresses.csv", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path
