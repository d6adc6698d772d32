from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "rentalbridge.roles"
    label = "roles"
