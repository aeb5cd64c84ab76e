"""Signals other apps listen to, so that descriptors need not know them."""

import contextlib
from collections.abc import Iterator

from django.dispatch import Signal

# Sent around a block that writes many opportunities (a spreadsheet import): listeners can
# batch their work (the catalogue re-indexes each touched opportunity once, at the end).
bulk_write_started = Signal()
bulk_write_finished = Signal()  # completed: False when the block raised


@contextlib.contextmanager
def bulk_write() -> Iterator[None]:
    bulk_write_started.send(sender=None)
    try:
        yield
    except BaseException:
        bulk_write_finished.send(sender=None, completed=False)
        raise
    bulk_write_finished.send(sender=None, completed=True)


# Sent by a bulk write that bypassed the model signals (bulk_create): ``created`` and ``changed``
# opportunities, so listeners learn what their saves would have told them.
opportunities_bulk_saved = Signal()
