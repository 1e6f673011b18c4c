"""The `confiance` console script: the platform's management commands with friendlier names.

`confiance territory import FILE` runs the command `territory_import FILE`; any other
Django command passes through (`confiance migrate`, `confiance createsuperuser`...).
"""

import os
import sys


def resolve(argv: list[str], known: set[str]) -> list[str]:
    """Join the first two words with an underscore when that names a known command."""
    if len(argv) >= 2 and f"{argv[0]}_{argv[1]}" in known:
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    args = resolve(sys.argv[1:], set(get_commands()))
    execute_from_command_line(["confiance", *(args or ["help"])])


if __name__ == "__main__":
    main()
