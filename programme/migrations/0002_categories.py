from django.db import migrations

CATEGORIES = [
    # slug, FR, NL, EN
    ("debate", "Débat", "Debat", "Debate"),
    ("concert", "Concert", "Concert", "Concert"),
    ("performance", "Spectacle", "Voorstelling", "Performance"),
    ("exhibition", "Exposition", "Tentoonstelling", "Exhibition"),
    ("film", "Film", "Film", "Film"),
    ("workshop", "Atelier", "Workshop", "Workshop"),
    ("other", "Autre", "Andere", "Other"),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("programme", "Category")
    for position, (slug, fr, nl, en) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug, defaults={"name": fr, "name_fr": fr, "name_nl": nl, "name_en": en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
