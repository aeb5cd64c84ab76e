"""Signals other apps listen to, so that the vocabularies need not know them."""

from django.dispatch import Signal

# Sent by a bulk write that bypassed the model signals (an ESCO import, the NUTS loader):
# ``sender`` is the concept model, ``ids`` the concepts whose labels or other shown values
# changed. Each receiver answers how many records showing those concepts it refreshed.
concepts_changed = Signal()
