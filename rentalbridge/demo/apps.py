from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rentalbridge.demo"
    label = "demo"
    verbose_name = "Demo data"
