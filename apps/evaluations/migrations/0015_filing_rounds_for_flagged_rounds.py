from django.db import migrations


def filing_rounds_for_flagged_rounds(apps, schema_editor):
    """A round that required creation registration (创建备案) by a flag gets a filing round of its own, linked to it,
    holding its registrations: the filing window ran from the round's creation to its registration deadline."""
    Round = apps.get_model("evaluations", "Round")
    CreationRegistration = apps.get_model("evaluations", "CreationRegistration")
    for round in Round.objects.filter(requires_creation_registration=True).order_by("pk"):
        closes = round.creation_registration_closes or round.application_opens
        opens = min(round.created_at.date(), closes)
        filing = Round.objects.create(
            node_id=round.node_id,
            kind="filing",
            title=f"{round.title}（创建备案）"[:120],
            year=round.year,
            stage="filing" if round.stage in ("draft", "open") else "filed",
            application_opens=opens,
            application_closes=closes,
            reference_date=closes,
            quota=1,
            created_by_id=round.created_by_id,
        )
        CreationRegistration.objects.filter(round=round).update(round=filing)
        Round.objects.filter(pk=round.pk).update(filing_round=filing)


class Migration(migrations.Migration):
    # Rows of its own migration: PostgreSQL alters no table (the previous migration's indexes, the next one's
    # removed columns) in the transaction that wrote rows still to check.
    dependencies = [
        ("evaluations", "0014_national_cycle_and_special_recommendation"),
    ]

    operations = [
        migrations.RunPython(filing_rounds_for_flagged_rounds, migrations.RunPython.noop),
    ]
