"""What the descriptors commands' arguments name, found, or refused with one message."""

from pathlib import Path

from django.core.management.base import CommandError

from descriptors.models import Organisation


def organisation_named(name: str) -> Organisation:
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise CommandError(f"No organisation named {name!r}.")
    return organisation


def existing_file(file: str) -> Path:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"No file {file}.")
    return path
