"""Stored emails in their login identity (kvote.people.access.login_identity), the spelling a
login now looks up exactly. An email whose identity another user already has is left as it is
(that login then needs its email corrected in the back office)."""

from typing import Any

from django.db import migrations

from kvote.people.access import login_identity


def forwards(apps: Any, schema_editor: Any) -> None:
    user_model = apps.get_model("people", "User")
    taken = set(user_model.objects.values_list("email", flat=True))
    for pk, email in user_model.objects.values_list("pk", "email"):
        identity = login_identity(email)
        if identity != email and identity not in taken:
            user_model.objects.filter(pk=pk).update(email=identity)
            taken.add(identity)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_employee_not_own_supervisor")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
