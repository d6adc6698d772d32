"""The roles migration hands import/export permissions to back office and operators, never to auditors."""

import pytest
from django.contrib.auth.models import Group

from rentalbridge.roles.definitions import AUDITOR, BACK_OFFICE, SYNC_OPERATOR
from tests.roles.test_roles import DOMAIN_MODELS

pytestmark = pytest.mark.django_db


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


@pytest.mark.parametrize(("app", "model"), DOMAIN_MODELS)
def test_import_and_export_belong_to_the_editing_roles_only(app, model):
    for role in (BACK_OFFICE, SYNC_OPERATOR):
        assert {f"import_{model}", f"export_{model}"} <= codenames(role)
    assert not {f"import_{model}", f"export_{model}"} & codenames(AUDITOR)
