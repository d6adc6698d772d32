"""The three roles of RentalBridge and the permissions each holds.

Roles are computed from the permissions that exist, by app and action, so a model added later joins the
right roles when a migration calls `apply_roles` again; nobody hand-maintains permission lists.
"""

from django.contrib.auth.management import create_permissions

BACK_OFFICE = "Back office"
SYNC_OPERATOR = "Sync operator"
AUDITOR = "Auditor"

DOMAIN_APPS = ("customers", "assets", "contracts", "customfields")
SYNC_APPS = ("sync",)
ALL_APPS = DOMAIN_APPS + SYNC_APPS

# Back office staff edit and import the ERP data; sync operators do that too and run/retry syncs;
# auditors may look at everything and change nothing.
ROLE_ACTIONS: dict[str, dict[tuple[str, ...], tuple[str, ...]]] = {
    BACK_OFFICE: {DOMAIN_APPS: ("view", "add", "change", "delete", "import", "export"), SYNC_APPS: ("view",)},
    SYNC_OPERATOR: {
        DOMAIN_APPS: ("view", "add", "change", "delete", "import", "export"),
        SYNC_APPS: ("view", "add", "change", "run", "retry", "export"),
    },
    AUDITOR: {ALL_APPS: ("view",)},
}


def apply_roles(apps) -> None:
    """Create the groups and give each exactly the permissions of its role (idempotent).

    `apps` is a migration's historical registry, or django.apps.apps.
    """
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_ACTIONS.items():
        wanted = []
        for app_labels, actions in grants.items():
            for permission in Permission.objects.filter(content_type__app_label__in=app_labels):
                if permission.codename.split("_", 1)[0] in actions:
                    wanted.append(permission)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(wanted)


def _ensure_permissions(apps) -> None:
    # Django creates permissions after all migrations ran (post_migrate); a data migration that assigns
    # them must create them first.
    for app_config in apps.get_app_configs():
        # A migration's historical app configs have no models module, which create_permissions requires.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
