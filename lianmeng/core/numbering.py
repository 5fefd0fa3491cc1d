"""Official document numbers, unique and gap-free within a series and year."""

from __future__ import annotations

from django.db import transaction

from .models import AllianceSettings, DocumentSeries


def document_number_next(*, series: str, year: int) -> str:
    """Take the next number of ``series`` in ``year`` and format it (胶东人服联〔2026〕3号).

    ``series`` is the part after the alliance abbreviation: "" for the main series, "函" for
    letters, "决" for resolutions, and so on.

    Must run inside the transaction that stores the numbered document, so that a rollback gives
    the number back (the series row stays locked until commit).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_next must run inside transaction.atomic()")
    row, _created = DocumentSeries.objects.select_for_update().get_or_create(series=series, year=year)
    row = DocumentSeries.objects.select_for_update().get(pk=row.pk)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    abbreviation = AllianceSettings.current().document_abbreviation
    return f"{abbreviation}{series}〔{year}〕{row.last_number}号"
