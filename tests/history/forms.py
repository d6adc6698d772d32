"""Post an admin change form back as the browser would: every field as the page shows it, plus changes."""

from django.forms import CheckboxInput
from django.test import Client


def change_form_data(client: Client, url: str, **changes: str) -> dict:
    """The page's main form and inline formsets with their current values, then `changes` on top."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms += list(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = field.prepare_value(form[name].value())
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
    data.update(changes)
    return data
