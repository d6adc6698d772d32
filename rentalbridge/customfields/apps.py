from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "rentalbridge.customfields"
    label = "customfields"
    verbose_name = "Custom fields"
