from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "rentalbridge.imports"
    label = "imports"
    verbose_name = "CSV imports"
